#include "sim/trace/trace_lines.h"

#include <utility>

#include "sim/trace/trace.h"

namespace edgecache::sim {

std::string parser_message(const nlohmann::json::exception& error) {
  std::string text = error.what();
  std::size_t end_of_prefix = text.find("] ");
  return end_of_prefix == std::string::npos ? text : text.substr(end_of_prefix + 2);
}

namespace {

// Parses `text` as JSON, or returns nothing with `problem` set to the parser's message.
std::optional<nlohmann::json> parse_json_text(const std::string& text, std::string& problem) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    problem = parser_message(error);
    return std::nullopt;
  }
}

}  // namespace

std::variant<nlohmann::json, std::string> parse_trace_header(const std::string& text) {
  std::string problem;
  std::optional<nlohmann::json> parsed = parse_json_text(text, problem);
  if (!parsed) return "not an edgecache trace: the first line is not JSON (" + problem + ")";
  nlohmann::json& header = *parsed;
  const auto format = header.is_object() ? header.find("format") : header.end();
  if (format == header.end() || *format != trace_format_name) {
    return std::string("not an edgecache trace: the first line has no \"format\": \"") + trace_format_name + "\"";
  }
  return std::move(header);
}

std::optional<std::string> trace_version_problem(const nlohmann::json& header, std::string_view format,
                                                 std::int64_t oldest_version) {
  auto version = header.find("version");
  if (version != header.end() && version->is_number_integer() && version->get<std::int64_t>() >= oldest_version &&
      version->get<std::int64_t>() <= trace_format_version) {
    return std::nullopt;
  }
  const std::string shown = version == header.end() ? "none" : version->dump();
  const std::string readable = oldest_version == trace_format_version
                                   ? "version " + std::to_string(trace_format_version)
                                   : "versions " + std::to_string(oldest_version) + " to " +
                                         std::to_string(trace_format_version);
  return std::string(format) + " format version " + shown + "; this sim reads " + readable;
}

std::variant<nlohmann::json, std::string> parse_event_line(const std::string& text) {
  std::string problem;
  std::optional<nlohmann::json> parsed = parse_json_text(text, problem);
  if (!parsed) return "not a trace line: not JSON (" + problem + ")";
  nlohmann::json& line = *parsed;
  if (!line.is_object()) return std::string("not a trace line: expected a JSON object");
  if (!line.contains("ev") || !line["ev"].is_string()) return std::string("not a trace line: no \"ev\" string");
  if (line["ev"] != "summary" && (!line.contains("t_us") || !line["t_us"].is_number_integer())) {
    return std::string("not a trace line: no \"t_us\" integer");
  }
  return std::move(line);
}

std::string string_field(const nlohmann::json& line, const char* key) {
  auto found = line.find(key);
  return found != line.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace edgecache::sim
