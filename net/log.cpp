#include "net/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace edgecache::net {

namespace {

// Formats the wall-clock time as ISO 8601 UTC with milliseconds, which sorts as text and reads the same in
// every time zone.
std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto milliseconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];  // Room for any int the compiler imagines in each field, so no truncation is possible.
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, static_cast<int>(milliseconds));
  return text;
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

Logger::Logger(std::ostream& out, NodeId node, std::string role, LogLevel threshold)
    : out_(out), node_(node), role_(std::move(role)), threshold_(threshold) {}

void Logger::log(LogLevel level, std::string_view event, nlohmann::ordered_json fields) {
  if (!enabled(level)) return;
  // Insertion order is kept so every line starts ts, node, role, level, event, which reads well unparsed.
  nlohmann::ordered_json line;
  line["ts"] = utc_timestamp();
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
