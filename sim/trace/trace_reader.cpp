#include "sim/trace/trace_reader.h"

#include <algorithm>
#include <set>

#include "sim/trace/trace.h"

namespace edgecache::sim {

namespace {

// The parser's own message without its "[json.exception.parse_error.101] " prefix.
std::string parser_message(const nlohmann::json::exception& error) {
  std::string text = error.what();
  std::size_t end_of_prefix = text.find("] ");
  return end_of_prefix == std::string::npos ? text : text.substr(end_of_prefix + 2);
}

std::string string_field(const nlohmann::json& line, const char* key) {
  auto found = line.find(key);
  return found != line.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<TraceReadError> read_header(const std::string& text, ParsedTrace& trace) {
  try {
    trace.header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    return TraceReadError{1, "not an edgecache trace: the first line is not JSON (" + parser_message(error) + ")"};
  }
  const nlohmann::json& header = trace.header;
  if (!header.is_object() || header.value("format", "") != trace_format_name) {
    return TraceReadError{1, std::string("not an edgecache trace: the first line has no \"format\": \"") + trace_format_name + "\""};
  }
  auto version = header.find("version");
  if (version == header.end() || !version->is_number_integer() || version->get<std::int64_t>() < 1 ||
      version->get<std::int64_t>() > trace_format_version) {
    std::string shown = version == header.end() ? "none" : version->dump();
    return TraceReadError{1, "trace format version " + shown + "; this sim reads versions 1 to " + std::to_string(trace_format_version)};
  }
  auto hosts = header.find("hosts");
  if (hosts != header.end()) {
    if (!hosts->is_array()) return TraceReadError{1, "header: hosts: expected an array"};
    for (const nlohmann::json& host : *hosts) {
      if (!host.is_object() || !host.contains("name") || !host["name"].is_string()) {
        return TraceReadError{1, "header: hosts: expected objects with a \"name\" string"};
      }
      trace.hosts.push_back(host["name"].get<std::string>());
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
      if (auto error = read_header(line_text, trace)) return *error;
      known_hosts.insert(trace.hosts.begin(), trace.hosts.end());
      continue;
    }
    if (trace.summary) return TraceReadError{line_number, "a line after the summary line"};
    nlohmann::json line;
    try {
      line = nlohmann::json::parse(line_text);
    } catch (const nlohmann::json::exception& error) {
      return TraceReadError{line_number, "not a trace line: not JSON (" + parser_message(error) + ")"};
    }
    if (!line.is_object()) return TraceReadError{line_number, "not a trace line: expected a JSON object"};
    if (!line.contains("ev") || !line["ev"].is_string()) return TraceReadError{line_number, "not a trace line: no \"ev\" string"};
    if (line["ev"] == "summary") {
      trace.summary = std::move(line);
      continue;
    }
    if (!line.contains("t_us") || !line["t_us"].is_number_integer()) {
      return TraceReadError{line_number, "not a trace line: no \"t_us\" integer"};
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
