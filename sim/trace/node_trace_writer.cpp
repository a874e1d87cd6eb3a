#include "sim/trace/node_trace_writer.h"

#include <cstdio>

#include "core/assert.h"
#include "core/base64.h"
#include "core/codec.h"
#include "core/hex.h"
#include "core/message_fields.h"
#include "sim/trace/node_names.h"
#include "sim/trace/trace.h"

namespace edgecache::sim {

std::unique_ptr<NodeTraceWriter> NodeTraceWriter::open(const std::string& path, std::string self,
                                                       std::map<NodeId, std::string> hosts, std::string& error) {
  std::shared_ptr<std::FILE> file(std::fopen(path.c_str(), "w"), [](std::FILE* opened) {
    if (opened != nullptr) std::fclose(opened);
  });
  if (file == nullptr) {
    error = "cannot open '" + path + "' for writing";
    return nullptr;
  }
  LineSink sink = [file](const std::string& line) {
    // A full disk loses trace lines, never the daemon: the trace is a record, not a dependency.
    std::fwrite(line.data(), 1, line.size(), file.get());
    std::fputc('\n', file.get());
    std::fflush(file.get());
  };
  return std::make_unique<NodeTraceWriter>(std::move(sink), std::move(self), std::move(hosts));
}

NodeTraceWriter::NodeTraceWriter(LineSink sink, std::string self, std::map<NodeId, std::string> hosts)
    : sink_(std::move(sink)), self_(std::move(self)), hosts_(std::move(hosts)) {}

void NodeTraceWriter::header(nlohmann::ordered_json fields) {
  EC_ASSERT(lines_ == 0, "the header is the first line of a node trace");
  nlohmann::ordered_json line;
  line["format"] = trace_format_name;
  line["version"] = trace_format_version;
  line["source"] = "node";
  for (auto& [key, value] : fields.items()) line[key] = value;
  nlohmann::ordered_json names = nlohmann::ordered_json::object();
  for (const auto& [id, name] : hosts_) names[std::to_string(id)] = name;
  line["hosts"] = names;
  write(line);
}

void NodeTraceWriter::close(nlohmann::ordered_json summary) {
  if (!sink_) return;
  write(nlohmann::ordered_json{{"summary", std::move(summary)}});
  sink_ = nullptr;
}

std::string NodeTraceWriter::name_of(NodeId id) const { return recorded_node_name(hosts_, id); }

void NodeTraceWriter::write(const nlohmann::ordered_json& value) {
  EC_ASSERT(sink_ != nullptr, "a node trace is written after it was closed");
  // Invalid UTF-8 cannot occur (every string is ours), but replace rather than throw if it ever does.
  sink_(value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  ++lines_;
}

NodeTraceWriter::Line::Line(NodeTraceWriter& trace, const TraceStamp& stamp, std::string_view event) : trace_(trace) {
  line_["t_us"] = stamp.t_us;
  line_["wall_us"] = stamp.wall_us;
  line_["ev"] = event;
  line_["node"] = trace.self_;
  line_["lamport"] = stamp.lamport;
}

NodeTraceWriter::Line::~Line() { trace_.write(line_); }

NodeTraceWriter::Line& NodeTraceWriter::Line::field(std::string_view key, std::uint64_t value) {
  line_[std::string(key)] = value;
  return *this;
}
NodeTraceWriter::Line& NodeTraceWriter::Line::field(std::string_view key, std::int64_t value) {
  line_[std::string(key)] = value;
  return *this;
}
NodeTraceWriter::Line& NodeTraceWriter::Line::field(std::string_view key, bool value) {
  line_[std::string(key)] = value;
  return *this;
}
NodeTraceWriter::Line& NodeTraceWriter::Line::field(std::string_view key, std::string_view value) {
  line_[std::string(key)] = value;
  return *this;
}

NodeTraceWriter::Line& NodeTraceWriter::Line::json_field(std::string_view key, nlohmann::ordered_json value) {
  line_[std::string(key)] = std::move(value);
  return *this;
}

NodeTraceWriter::Line& NodeTraceWriter::Line::message(const Message& message) {
  field("msg", message_kind_name(kind_of(message)));
  add_message_fields(*this, message, [this](NodeId id) { return trace_.name_of(id); });
  return *this;
}

void NodeTraceWriter::started(const TraceStamp& stamp) { Line(*this, stamp, "started"); }

void NodeTraceWriter::received(const TraceStamp& stamp, NodeId from, std::uint64_t sent_lamport,
                               const Message& message) {
  const std::vector<std::uint8_t> payload = encode(message);
  Line(*this, stamp, "recv")
      .field("from", name_of(from))
      .field("from_id", std::uint64_t{from})
      .field("sent_lamport", sent_lamport)
      .message(message)
      .field("payload", base64_encode(payload));
}

void NodeTraceWriter::timer_fired(const TraceStamp& stamp, TimerId id, const Timer& timer) {
  Line(*this, stamp, "timer").field("timer", timer_kind_name(timer.kind)).field("key", timer.key).field("timer_id", id);
}

void NodeTraceWriter::sent(const TraceStamp& stamp, NodeId to, const Message& message) {
  Line(*this, stamp, "send")
      .field("to", name_of(to))
      .field("to_id", std::uint64_t{to})
      .message(message)
      .field("digest", hex64(message_digest(message)));
}

void NodeTraceWriter::timer_set(const TraceStamp& stamp, TimerId id, const Timer& timer, TimeUs delay_us) {
  Line(*this, stamp, "timer_set")
      .field("timer_id", id)
      .field("timer", timer_kind_name(timer.kind))
      .field("key", timer.key)
      .field("delay_us", std::int64_t{delay_us});
}

void NodeTraceWriter::timer_cancelled(const TraceStamp& stamp, TimerId id) {
  Line(*this, stamp, "timer_cancel").field("timer_id", id);
}

void NodeTraceWriter::state(const TraceStamp& stamp, const EdgeStatus& status) {
  Line(*this, stamp, "state")
      .field("role", role_name(status.role))
      .field("leader", status.leader ? name_of(*status.leader) : std::string())
      .field("epoch", std::uint64_t{status.epoch});
}

}  // namespace edgecache::sim
