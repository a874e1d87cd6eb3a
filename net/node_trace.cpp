#include "net/node_trace.h"

#include <chrono>
#include <cstdio>

#include "core/assert.h"
#include "core/base64.h"
#include "core/codec.h"
#include "core/message_fields.h"
#include "net/limits.h"

namespace edgecache::net {

namespace {

// The simulator's trace format name and the version whose vocabulary node traces share (sim/trace/trace.h).
constexpr const char* trace_format_name = "edgecache-trace";
constexpr int trace_format_version = 2;

}  // namespace


std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::unique_ptr<NodeTrace> NodeTrace::open(const std::string& path, std::string self, std::map<NodeId, std::string> hosts,
                                           std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    error = "cannot open '" + path + "' for writing";
    return nullptr;
  }
  return std::unique_ptr<NodeTrace>(new NodeTrace(file, std::move(self), std::move(hosts)));
}

NodeTrace::NodeTrace(std::FILE* file, std::string self, std::map<NodeId, std::string> hosts)
    : file_(file), self_(std::move(self)), hosts_(std::move(hosts)) {}

NodeTrace::~NodeTrace() {
  if (file_ != nullptr) std::fclose(file_);
}

void NodeTrace::header(nlohmann::ordered_json fields) {
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

void NodeTrace::close(nlohmann::ordered_json summary) {
  if (file_ == nullptr) return;
  write(nlohmann::ordered_json{{"summary", std::move(summary)}});
  std::fclose(file_);
  file_ = nullptr;
}

std::string NodeTrace::name_of(NodeId id) const {
  if (auto found = hosts_.find(id); found != hosts_.end()) return found->second;
  if (id >= first_local_client_id) return "local-" + std::to_string(id - first_local_client_id);
  return "node-" + std::to_string(id);
}

void NodeTrace::write(const nlohmann::ordered_json& value) {
  EC_ASSERT(file_ != nullptr, "a node trace is written after it was closed");
  // Invalid UTF-8 cannot occur (every string is ours), but replace rather than throw if it ever does.
  const std::string text = value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  // A full disk loses trace lines, never the daemon: the trace is a record, not a dependency.
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
  ++lines_;
}

NodeTrace::Line::Line(NodeTrace& trace, const TraceStamp& stamp, std::string_view event) : trace_(trace) {
  line_["t_us"] = stamp.t_us;
  line_["wall_us"] = stamp.wall_us;
  line_["ev"] = event;
  line_["node"] = trace.self_;
  line_["lamport"] = stamp.lamport;
}

NodeTrace::Line::~Line() { trace_.write(line_); }

NodeTrace::Line& NodeTrace::Line::field(std::string_view key, std::uint64_t value) {
  line_[std::string(key)] = value;
  return *this;
}
NodeTrace::Line& NodeTrace::Line::field(std::string_view key, std::int64_t value) {
  line_[std::string(key)] = value;
  return *this;
}
NodeTrace::Line& NodeTrace::Line::field(std::string_view key, bool value) {
  line_[std::string(key)] = value;
  return *this;
}
NodeTrace::Line& NodeTrace::Line::field(std::string_view key, std::string_view value) {
  line_[std::string(key)] = value;
  return *this;
}

NodeTrace::Line& NodeTrace::Line::json_field(std::string_view key, nlohmann::ordered_json value) {
  line_[std::string(key)] = std::move(value);
  return *this;
}

NodeTrace::Line& NodeTrace::Line::message(const Message& message) {
  field("msg", message_kind_name(kind_of(message)));
  add_message_fields(*this, message, [this](NodeId id) { return trace_.name_of(id); });
  return *this;
}

void NodeTrace::started(const TraceStamp& stamp) { Line(*this, stamp, "started"); }

void NodeTrace::received(const TraceStamp& stamp, NodeId from, std::uint64_t sent_lamport, const Message& message) {
  const std::vector<std::uint8_t> payload = encode(message);
  Line(*this, stamp, "recv")
      .field("from", name_of(from))
      .field("from_id", std::uint64_t{from})
      .field("sent_lamport", sent_lamport)
      .message(message)
      .field("payload", base64_encode(payload));
}

void NodeTrace::timer_fired(const TraceStamp& stamp, TimerId id, const Timer& timer) {
  Line(*this, stamp, "timer").field("timer", timer_kind_name(timer.kind)).field("key", timer.key).field("timer_id", id);
}

void NodeTrace::sent(const TraceStamp& stamp, NodeId to, const Message& message) {
  Line(*this, stamp, "send")
      .field("to", name_of(to))
      .field("to_id", std::uint64_t{to})
      .message(message)
      .field("digest", hex64(message_digest(message)));
}

void NodeTrace::timer_set(const TraceStamp& stamp, TimerId id, const Timer& timer, TimeUs delay_us) {
  Line(*this, stamp, "timer_set")
      .field("timer_id", id)
      .field("timer", timer_kind_name(timer.kind))
      .field("key", timer.key)
      .field("delay_us", std::int64_t{delay_us});
}

void NodeTrace::timer_cancelled(const TraceStamp& stamp, TimerId id) {
  Line(*this, stamp, "timer_cancel").field("timer_id", id);
}

}  // namespace edgecache::net
