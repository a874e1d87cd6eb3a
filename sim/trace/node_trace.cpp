#include "sim/trace/node_trace.h"

#include <cstdio>
#include <limits>

#include "core/parse_number.h"
#include "sim/trace/edge_config_json.h"
#include "sim/trace/text_file.h"
#include "sim/trace/trace.h"
#include "sim/trace/trace_lines.h"

namespace edgecache::sim {

namespace {

// Thrown inside this file only, so each check is one line; parse_node_trace returns it as a value.
struct Failure {
  std::size_t line;
  std::string reason;
};

[[noreturn]] void fail(std::size_t line, std::string reason) { throw Failure{line, std::move(reason)}; }

enum class FieldType : std::uint8_t { unsigned_integer, integer, string, boolean };

const char* type_name(FieldType type) {
  switch (type) {
    case FieldType::unsigned_integer: return "a non-negative integer";
    case FieldType::integer: return "an integer";
    case FieldType::string: return "a string";
    case FieldType::boolean: return "a boolean";
  }
  return "a value";
}

bool has_type(const nlohmann::json& value, FieldType type) {
  switch (type) {
    case FieldType::unsigned_integer: return value.is_number_unsigned();
    case FieldType::integer: return value.is_number_integer();
    case FieldType::string: return value.is_string();
    case FieldType::boolean: return value.is_boolean();
  }
  return false;
}

void require(const nlohmann::json& object, const char* key, FieldType type, std::size_t line, const char* where) {
  auto found = object.find(key);
  if (found == object.end()) fail(line, std::string(where) + ": missing \"" + key + "\"");
  if (!has_type(*found, type)) {
    fail(line, std::string(where) + ": \"" + key + "\": expected " + type_name(type) + ", got " + found->dump());
  }
}

struct RequiredField {
  const char* key;
  FieldType type;
};

// The fields each kind of line must carry (docs/real-traces.md, "Event lines"). Kinds not listed are
// accepted with the common fields alone, so a newer recorder's extra lines do not make a trace unreadable.
std::vector<RequiredField> required_fields(std::string_view ev) {
  using enum FieldType;
  if (ev == "recv") return {{"from_id", unsigned_integer}, {"sent_lamport", unsigned_integer}, {"payload", string}};
  if (ev == "timer") return {{"timer", string}, {"key", unsigned_integer}};
  if (ev == "send") return {{"to_id", unsigned_integer}, {"digest", string}};
  if (ev == "timer_set") return {{"timer_id", unsigned_integer}, {"timer", string}, {"key", unsigned_integer}, {"delay_us", integer}};
  if (ev == "timer_cancel") return {{"timer_id", unsigned_integer}};
  if (ev == "state") return {{"role", string}, {"leader", string}, {"epoch", unsigned_integer}};
  if (ev == "submit") return {{"req", unsigned_integer}, {"kind", string}, {"image", unsigned_integer}, {"deadline_us", integer}};
  if (ev == "result") {
    return {{"req", unsigned_integer}, {"kind", string}, {"image", unsigned_integer}, {"outcome", string}};
  }
  if (ev == "fault") return {{"fault", string}};
  return {};
}

std::uint64_t read_hex64(const std::string& text, std::size_t line, const std::string& where) {
  const std::optional<std::uint64_t> value = parse_hex64(text);
  if (!value) fail(line, where + ": expected up to 16 hex digits, got \"" + text + "\"");
  return *value;
}

std::vector<RecordedImage> read_images(const nlohmann::json& header, const char* key) {
  std::vector<RecordedImage> images;
  const nlohmann::json& list = header.at(key);
  const std::string where = std::string("header: ") + key;
  if (!list.is_array()) fail(1, where + ": expected an array of [id, size_bytes, \"checksum hex\"]");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& entry = list[i];
    const std::string at = where + "[" + std::to_string(i) + "]";
    if (!entry.is_array() || entry.size() != 3 || !entry[0].is_number_unsigned() || !entry[1].is_number_unsigned() ||
        !entry[2].is_string()) {
      fail(1, at + ": expected [id, size_bytes, \"checksum hex\"], got " + entry.dump());
    }
    images.push_back({entry[0].get<ImageId>(), entry[1].get<std::uint64_t>(), read_hex64(entry[2].get<std::string>(), 1, at)});
  }
  return images;
}

NodeTraceHeader read_node_header(const std::string& text) {
  NodeTraceHeader header;
  auto parsed = parse_trace_header(text);
  if (const auto* problem = std::get_if<std::string>(&parsed)) fail(1, *problem);
  header.json = std::move(std::get<nlohmann::json>(parsed));
  const nlohmann::json& json = header.json;
  // find, not value(): value() throws when the field is there with another type, and any text may arrive here.
  const auto source = json.find("source");
  if (source == json.end() || *source != "node") {
    fail(1, "not a node trace: the header has no \"source\": \"node\" (a simulator trace? try sim replay or sim view)");
  }
  if (auto problem = trace_version_problem(json, "node trace", trace_format_version)) fail(1, *problem);
  require(json, "role", FieldType::string, 1, "header");
  const std::string role = json["role"].get<std::string>();
  if (role == "edge") header.role = NodeRole::edge;
  else if (role == "canonical") header.role = NodeRole::canonical;
  else if (role == "client") header.role = NodeRole::client;
  else if (role == "controller") header.role = NodeRole::controller;
  else fail(1, "header: \"role\": expected edge, canonical, client or controller, got \"" + role + "\"");
  require(json, "wall_us", FieldType::integer, 1, "header");
  header.wall_us = json["wall_us"].get<std::int64_t>();
  if (json.contains("node")) require(json, "node", FieldType::string, 1, "header");
  header.node = json.value("node", role);
  if (header.role == NodeRole::controller) return header;

  require(json, "node", FieldType::string, 1, "header");
  require(json, "node_id", FieldType::unsigned_integer, 1, "header");
  header.node_id = static_cast<NodeId>(json["node_id"].get<std::uint64_t>());
  if (json.contains("hosts")) {
    if (!json["hosts"].is_object()) fail(1, "header: \"hosts\": expected an object of node id to name");
    for (const auto& [key, name] : json["hosts"].items()) {
      const std::optional<std::uint64_t> id = parse_decimal_in(key, 0, std::numeric_limits<NodeId>::max());
      if (!id || !name.is_string()) {
        fail(1, "header: \"hosts\": expected decimal node ids mapped to names, got \"" + key + "\": " + name.dump());
      }
      header.hosts[static_cast<NodeId>(*id)] = name.get<std::string>();
    }
  }
  header.hosts.emplace(header.node_id, header.node);
  if (header.role == NodeRole::client) return header;

  require(json, "random_seed", FieldType::string, 1, "header");
  const std::string seed = json["random_seed"].get<std::string>();
  const std::optional<std::uint64_t> random_seed = parse_decimal(seed);
  if (!random_seed) fail(1, "header: \"random_seed\": expected a decimal integer below 2^64, got \"" + seed + "\"");
  header.random_seed = *random_seed;
  if (header.role == NodeRole::canonical) {
    if (!json.contains("catalog")) fail(1, "header: missing \"catalog\" (a canonical's trace lists every image it serves)");
    header.catalog = read_images(json, "catalog");
    return header;
  }
  if (!json.contains("edge_config")) fail(1, "header: missing \"edge_config\"");
  if (auto config_error = parse_recorded_edge_config(json["edge_config"], "edge_config", header.edge_config)) {
    fail(1, "header: " + config_error->message());
  }
  // An edge cannot be rebuilt without knowing its peers and its origin, so these have no defaults.
  for (const char* key : {"canonical", "edges"}) {
    if (!json["edge_config"].contains(key)) fail(1, std::string("header: edge_config: missing \"") + key + "\"");
  }
  // The budget sits beside edge_config in the contract's example; inside it is accepted too.
  const nlohmann::json* budget = json.contains("cache_budget_bytes") ? &json["cache_budget_bytes"]
                                 : json["edge_config"].contains("cache_budget_bytes") ? &json["edge_config"]["cache_budget_bytes"]
                                                                                     : nullptr;
  if (budget == nullptr || !budget->is_number_unsigned() || budget->get<std::uint64_t>() == 0) {
    fail(1, "header: \"cache_budget_bytes\": expected a positive integer");
  }
  header.cache_budget_bytes = budget->get<std::uint64_t>();
  if (json.contains("preloaded")) header.preloaded = read_images(json, "preloaded");
  return header;
}

bool is_summary(const nlohmann::json& line) {
  if (!line.is_object()) return false;
  auto ev = line.find("ev");
  if (ev == line.end()) return line.contains("summary");
  return *ev == "summary";
}

NodeTraceEvent read_event(std::string text, std::size_t line_number) {
  NodeTraceEvent event;
  event.line = line_number;
  try {
    event.json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    fail(line_number, "not a trace line: not JSON (" + parser_message(error) + ")");
  }
  const nlohmann::json& json = event.json;
  if (!json.is_object()) fail(line_number, "not a trace line: expected a JSON object");
  require(json, "ev", FieldType::string, line_number, "line");
  require(json, "t_us", FieldType::integer, line_number, "line");
  require(json, "wall_us", FieldType::integer, line_number, "line");
  event.ev = json["ev"].get<std::string>();
  event.t_us = json["t_us"].get<TimeUs>();
  event.wall_us = json["wall_us"].get<std::int64_t>();
  if (json.contains("lamport")) {
    require(json, "lamport", FieldType::unsigned_integer, line_number, "line");
    event.lamport = json["lamport"].get<std::uint64_t>();
  }
  const std::string where = event.ev + " line";
  for (const RequiredField& field : required_fields(event.ev)) require(json, field.key, field.type, line_number, where.c_str());
  if (event.ev == "send") read_hex64(json["digest"].get<std::string>(), line_number, "send line: \"digest\"");
  event.text = std::move(text);
  return event;
}

}  // namespace

const char* node_role_name(NodeRole role) {
  switch (role) {
    case NodeRole::edge: return "edge";
    case NodeRole::canonical: return "canonical";
    case NodeRole::client: return "client";
    case NodeRole::controller: return "controller";
  }
  return "unknown";
}

std::string NodeTraceError::message() const {
  return line == 0 ? path + ": " + reason : path + ":" + std::to_string(line) + ": " + reason;
}

bool is_input_event(std::string_view ev) { return ev == "started" || ev == "recv" || ev == "timer"; }
bool is_output_event(std::string_view ev) { return ev == "send" || ev == "timer_set" || ev == "timer_cancel"; }

std::variant<NodeTrace, NodeTraceError> parse_node_trace(std::string_view text, const std::string& path) {
  NodeTrace trace;
  trace.path = path;
  std::size_t line_number = 0;
  try {
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      const bool complete = end != std::string_view::npos;
      if (!complete) end = text.size();
      std::string line_text(text.substr(start, end - start));
      start = end + 1;
      ++line_number;
      if (line_number == 1) {
        if (!complete) fail(1, "the header line is cut short");
        trace.header = read_node_header(line_text);
        continue;
      }
      if (trace.summary) fail(line_number, "a line after the summary line");
      // A process killed while writing leaves at most its last line unfinished, without its newline; what
      // came before is whole, so the line is dropped rather than the trace refused.
      if (!complete && !nlohmann::json::accept(line_text)) {
        trace.last_line_cut = true;
        break;
      }
      nlohmann::json probe = nlohmann::json::parse(line_text, nullptr, false);
      if (is_summary(probe)) {
        trace.summary = std::move(probe);
        continue;
      }
      trace.events.push_back(read_event(std::move(line_text), line_number));
    }
    if (line_number == 0) fail(1, "not an edgecache trace: the file is empty");
  } catch (const Failure& failure) {
    return NodeTraceError{path, failure.line, failure.reason};
  }
  return trace;
}

std::variant<NodeTrace, NodeTraceError> read_node_trace(const std::string& path) {
  std::optional<std::string> text = read_text_file(path);
  if (!text) return NodeTraceError{path, 0, "cannot read the file"};
  return parse_node_trace(*text, path);
}

std::optional<std::vector<NodeTrace>> read_node_traces(const std::vector<std::string>& paths) {
  std::vector<NodeTrace> traces;
  for (const std::string& path : paths) {
    auto read = read_node_trace(path);
    if (auto* error = std::get_if<NodeTraceError>(&read)) {
      std::fprintf(stderr, "%s\n", error->message().c_str());
      return std::nullopt;
    }
    traces.push_back(std::move(std::get<NodeTrace>(read)));
  }
  return traces;
}

}  // namespace edgecache::sim
