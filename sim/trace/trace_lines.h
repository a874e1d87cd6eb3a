#pragma once
// The checks every reader of trace files shares: the header line's format and version, and what makes a
// line an event line. The simulator's trace reader, `sim replay` and the node trace reader each add their
// own checks on top, but say these in the same words.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace edgecache::sim {

// The JSON parser's own message without its "[json.exception.parse_error.101] " prefix.
std::string parser_message(const nlohmann::json::exception& error);

// Parses a trace's first line. Returns the header if it is a JSON object with "format": "edgecache-trace",
// else why not ("not an edgecache trace: ...").
std::variant<nlohmann::json, std::string> parse_trace_header(const std::string& text);

// Returns why `header`'s "version" is not an integer in [oldest_version, trace_format_version], or nothing.
// `format` names the format in the message: "trace format version 3; this sim reads version 2".
std::optional<std::string> trace_version_problem(const nlohmann::json& header, std::string_view format,
                                                 std::int64_t oldest_version);

// Parses one line after the header. Returns it if it is a JSON object with an "ev" string and, unless it is
// the summary line ("ev": "summary"), a "t_us" integer; else why not ("not a trace line: ...").
std::variant<nlohmann::json, std::string> parse_event_line(const std::string& text);

// The string at `key` of a line's object, or "" where it is absent or not a string: for optional fields,
// whose absence the caller judges.
std::string string_field(const nlohmann::json& line, const char* key);

}  // namespace edgecache::sim
