#include "net/log.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>

#include "core/assert.h"
#include "sim/trace/node_names.h"

namespace edgecache::net {

namespace {

// The wall-clock time in UTC, split into its parts and milliseconds.
struct WallTime {
  std::tm parts{};
  int milliseconds = 0;
};

WallTime wall_time_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  WallTime time;
  time.milliseconds =
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  gmtime_r(&seconds, &time.parts);
  return time;
}

// ISO 8601 UTC with milliseconds, which sorts as text and reads the same in every time zone.
std::string utc_timestamp(const WallTime& time) {
  char text[64];  // Room for any int the compiler imagines in each field, so no truncation is possible.
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", time.parts.tm_year + 1900,
                time.parts.tm_mon + 1, time.parts.tm_mday, time.parts.tm_hour, time.parts.tm_min, time.parts.tm_sec,
                time.milliseconds);
  return text;
}

// The time of day alone (UTC): a human reads a log as it scrolls, and the date rarely helps there.
std::string utc_time_of_day(const WallTime& time) {
  char text[48];
  std::snprintf(text, sizeof text, "%02d:%02d:%02d.%03d", time.parts.tm_hour, time.parts.tm_min, time.parts.tm_sec,
                time.milliseconds);
  return text;
}

const char* upper_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "DEBUG";
    case LogLevel::info: return "INFO";
    case LogLevel::warn: return "WARN";
    case LogLevel::error: return "ERROR";
  }
  return "UNKNOWN";
}

// A sentence for one event. `{key}` stands for the field's value. An event may have several forms: the first
// whose fields are all present (neither missing, null nor empty) is used, which is how "no leader" and
// "no HTTP" read differently from the usual case.
struct HumanForm {
  std::string_view event;
  std::string_view text;
};

// clang-format off
constexpr auto human_forms = std::to_array<HumanForm>({
    {"started", "started: peers on {listen}, HTTP on {http_listen}"},
    {"started", "started: peers on {listen}, no HTTP"},
    {"shutdown", "shutting down on {signal}"},
    {"stopped", "stopped"},
    {"catalog_loaded", "serving {images} images from {images_dir}"},
    {"leader_changed", "leader elected: {leader} (epoch {epoch})"},
    {"leader_changed", "no leader, this edge is a {state} (epoch {epoch})"},
    {"peer_connected", "connected to {peer} at {address}"},
    {"peer_connected", "{peer} connected from {remote}"},
    {"peer_disconnected", "lost {peer} at {address}: {reason}"},
    {"peer_connect_failed", "cannot reach {peer} at {address}: {reason}"},
    {"peer_inbound_closed", "{peer} ({remote}) closed its link: {reason}"},
    {"peer_inbound_closed", "a connection from {remote} closed: {reason}"},
    {"peer_protocol_error", "protocol error from {peer} ({remote}): {reason}"},
    {"peer_protocol_error", "protocol error from {remote}: {reason}"},
    {"peer_accept_failed", "cannot accept a peer connection: {reason}"},
    {"peer_inbound_rejected", "refused a peer connection: {reason}"},
    {"peer_refused", "refused a peer claiming to be {claimed} from {remote}: {reason}"},
    {"peer_refused", "refused a peer from {remote}: {reason}"},
    {"peer_auth_failed", "{peer} at {address} failed the handshake: {reason}"},
    {"peer_link_replaced", "{peer} connected again from {remote}; its older link is closed"},
    {"peer_handshake_evicted", "dropped a connection from {remote} still in its handshake, to make room"},
    {"insecure_peers", "peer links are NOT authenticated (--insecure-peers): anyone who reaches the peer port can act as a node"},
    {"cluster_key_unusable", "cluster key unusable: {reason}"},
    {"http_accept_failed", "cannot accept an HTTP connection: {reason}"},
    {"origin_fetch", "miss: image {image}, fetching it from the canonical"},
    {"origin_fetched", "fetched image {image} from the canonical ({bytes} bytes)"},
    {"origin_size_query", "miss: size of image {image}, asking the canonical"},
    {"origin_size", "the canonical says image {image} has {bytes} bytes"},
    {"origin_served", "sent image {image} to {to} ({bytes} bytes)"},
    {"origin_size_served", "told {to} the size of image {image} ({bytes} bytes)"},
    {"origin_not_found", "image {image} asked by {to} does not exist"},
    {"image_not_found", "image {image} not found"},
    {"image_unavailable", "image {image} unavailable (the canonical is unreachable or busy)"},
    {"replication_order", "replication: {to} to copy image {image} from {source}"},
    {"replication_pull", "copying image {image} from {source}"},
    {"replicated", "replicated image {image} from {source} ({bytes} bytes)"},
    {"replication_failed", "could not copy image {image} from {source}: {status}"},
    {"image_skipped", "skipped {path}: {reason}"},
    {"disk_cache_loaded", "loaded {images} cached images ({bytes} bytes) from {data_dir}"},
    {"disk_cache_file_dropped", "disk cache: dropped {path}: {reason}"},
    {"disk_cache_write_failed", "disk cache: cannot write {path}: {reason}"},
    {"disk_cache_remove_failed", "disk cache: cannot remove {path}: {reason}"},
    {"disk_cache_list_failed", "disk cache: cannot list {data_dir}: {reason}"},
    {"disk_cache_degraded", "disk cache: degraded ({reason}) after failing to write {path}; images stay cached in memory, and only an occasional probe is written"},
    {"disk_cache_recovered", "disk cache: a probe write of {path} landed; writing images to disk again"},
    {"listen_failed", "cannot listen (--{flag}): {reason}"},
    {"images_dir_unusable", "images directory unusable: {reason}"},
    {"data_dir_unusable", "data directory unusable: {reason}"},
    {"trace_unusable", "cannot write the trace: {reason}"},
    {"open_file_limit", "open file limit: {descriptors} descriptors"},
});
// clang-format on

// Copies `text`, replacing control characters, so a value can never break a line or move the cursor.
std::string plain(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// The fields that hold a node id. Id 0 is no node: a peer that has not said who it is yet.
bool is_node_field(std::string_view key) { return key == "peer" || key == "leader" || key == "claimed"; }

bool present(const nlohmann::ordered_json& fields, const std::string& key) {
  if (!fields.is_object()) return false;
  const auto found = fields.find(key);
  if (found == fields.end() || found->is_null()) return false;
  if (found->is_string()) return !found->get_ref<const std::string&>().empty();
  return !(is_node_field(key) && *found == 0);
}

std::string value_text(const nlohmann::ordered_json& value) {
  if (value.is_string()) return plain(value.get_ref<const std::string&>());
  return plain(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Fills `form` from `fields`, or returns nothing if one of its fields is not present.
std::optional<std::string> fill(std::string_view form, const nlohmann::ordered_json& fields, const NodeNames& names) {
  std::string out;
  std::size_t at = 0;
  while (at < form.size()) {
    const std::size_t open = form.find('{', at);
    if (open == std::string_view::npos) {
      out.append(form.substr(at));
      break;
    }
    const std::size_t close = form.find('}', open);
    EC_ASSERT(close != std::string_view::npos, "every '{' in a human form is closed");
    out.append(form.substr(at, open - at));
    const std::string key(form.substr(open + 1, close - open - 1));
    if (!present(fields, key)) return std::nullopt;
    const nlohmann::ordered_json& value = fields[key];
    const bool node = is_node_field(key) && value.is_number_integer() && value.get<std::int64_t>() > 0 &&
                      value.get<std::int64_t>() <= std::numeric_limits<NodeId>::max();
    out += node ? sim::recorded_node_name(names, static_cast<NodeId>(value.get<std::int64_t>())) : value_text(value);
    at = close + 1;
  }
  return out;
}

// "event key=value ...": strings bare when they hold no space, else quoted as in JSON.
std::string generic_text(std::string_view event, const nlohmann::ordered_json& fields) {
  std::string out = plain(event);
  if (!fields.is_object()) return out;
  for (const auto& [key, value] : fields.items()) {
    out += ' ';
    out += plain(key);
    out += '=';
    const bool bare = value.is_string() && !value.get_ref<const std::string&>().empty() &&
                      value.get_ref<const std::string&>().find_first_of(" \"") == std::string::npos;
    out += bare ? value_text(value) : plain(value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));
  }
  return out;
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view name) {
  if (name == "debug") return LogLevel::debug;
  if (name == "info") return LogLevel::info;
  if (name == "warn") return LogLevel::warn;
  if (name == "error") return LogLevel::error;
  return std::nullopt;
}

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "unknown";
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "human") return LogFormat::human;
  if (name == "json") return LogFormat::json;
  return std::nullopt;
}

std::string human_event_text(std::string_view event, const nlohmann::ordered_json& fields, const NodeNames& names) {
  for (const HumanForm& form : human_forms) {
    if (form.event != event) continue;
    if (std::optional<std::string> text = fill(form.text, fields, names)) return *text;
  }
  return generic_text(event, fields);
}

Logger::Logger(std::ostream& out, NodeId node, std::string role, LogLevel threshold, LogFormat format, NodeNames names)
    : out_(out), node_(node), role_(std::move(role)), threshold_(threshold), format_(format), names_(std::move(names)) {}

void Logger::log(LogLevel level, std::string_view event, nlohmann::ordered_json fields) {
  if (!enabled(level)) return;
  const WallTime time = wall_time_now();
  if (format_ == LogFormat::human) {
    out_ << utc_time_of_day(time) << ' ' << sim::recorded_node_name(names_, node_) << ' ' << upper_level_name(level) << ' '
         << human_event_text(event, fields, names_) << '\n';
    out_.flush();
    return;
  }
  // Insertion order is kept so every line starts ts, node, role, level, event, which reads well unparsed.
  nlohmann::ordered_json line;
  line["ts"] = utc_timestamp(time);
  line["node"] = node_;
  line["role"] = role_;
  line["level"] = log_level_name(level);
  line["event"] = event;
  if (fields.is_object()) {
    for (auto& [key, value] : fields.items()) line[key] = value;
  }
  // Peer input can contain any bytes; replacing invalid UTF-8 keeps one bad field from losing the line.
  out_ << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out_.flush();
}

}  // namespace edgecache::net
