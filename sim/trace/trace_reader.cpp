#include "sim/trace/trace_reader.h"

#include <algorithm>
#include <set>

#include "sim/trace/trace_lines.h"

namespace edgecache::sim {

namespace {

// The simulator trace header: format, version (any this sim can read) and the hosts' lane order.
std::optional<TraceReadError> read_trace_header(const std::string& text, ParsedTrace& trace) {
  auto parsed = parse_trace_header(text);
  if (const auto* problem = std::get_if<std::string>(&parsed)) return TraceReadError{1, *problem};
  trace.header = std::move(std::get<nlohmann::json>(parsed));
  const nlohmann::json& header = trace.header;
  if (auto problem = trace_version_problem(header, "trace", 1)) return TraceReadError{1, *problem};
  auto hosts = header.find("hosts");
  if (hosts != header.end()) {
    if (!hosts->is_array()) return TraceReadError{1, "header: hosts: expected an array"};
    for (const nlohmann::json& host : *hosts) {
      if (!host.is_object() || !host.contains("name") || !host["name"].is_string()) {
        return TraceReadError{1, "header: hosts: expected objects with a \"name\" string"};
      }
      // A name listed twice would get two lanes, and every event of that host would land in the first.
      std::string name = host["name"].get<std::string>();
      if (std::find(trace.hosts.begin(), trace.hosts.end(), name) != trace.hosts.end()) {
        return TraceReadError{1, "header: hosts: \"" + name + "\" is listed twice"};
      }
      trace.hosts.push_back(std::move(name));
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<ParsedTrace, TraceReadError> parse_trace(std::string_view text) {
  ParsedTrace trace;
  std::set<std::string> known_hosts;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line_text(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line_number == 1) {
      if (auto error = read_trace_header(line_text, trace)) return *error;
      known_hosts.insert(trace.hosts.begin(), trace.hosts.end());
      continue;
    }
    if (trace.summary) return TraceReadError{line_number, "a line after the summary line"};
    auto parsed = parse_event_line(line_text);
    if (const auto* problem = std::get_if<std::string>(&parsed)) return TraceReadError{line_number, *problem};
    nlohmann::json line = std::move(std::get<nlohmann::json>(parsed));
    if (line["ev"] == "summary") {
      trace.summary = std::move(line);
      continue;
    }
    TraceEvent event;
    event.line = line_number;
    event.t_us = line["t_us"].get<std::int64_t>();
    event.ev = line["ev"].get<std::string>();
    event.node = string_field(line, "node");
    if (event.ev == "send") event.peer = string_field(line, "to");
    if (event.ev == "recv" || event.ev == "drop") event.peer = string_field(line, "from");
    auto id = line.find("msg_id");
    if (id != line.end() && id->is_number_unsigned()) event.message_id = id->get<std::uint64_t>();
    for (const std::string* host : {&event.node, &event.peer}) {
      if (!host->empty() && known_hosts.insert(*host).second) trace.hosts.push_back(*host);
    }
    event.text = std::move(line_text);
    trace.events.push_back(std::move(event));
  }
  if (line_number == 0) return TraceReadError{1, "not an edgecache trace: the file is empty"};
  return trace;
}

}  // namespace edgecache::sim
