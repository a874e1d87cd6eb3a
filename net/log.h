#pragma once
// Structured logs: one JSON object per line on an output stream (stdout in the daemon), so a log collector
// can parse every event without guessing. Each line carries a UTC timestamp, the node, the level, the event
// name and the event's own fields.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/types.h"

namespace edgecache::net {

enum class LogLevel : std::uint8_t { debug = 0, info = 1, warn = 2, error = 3 };

// Returns the level named `name` ("debug", "info", "warn", "error"), or nothing for any other name.
std::optional<LogLevel> parse_log_level(std::string_view name);
const char* log_level_name(LogLevel level);

class Logger {
 public:
  // `out` must outlive the logger. Lines below `threshold` are discarded.
  Logger(std::ostream& out, NodeId node, std::string role, LogLevel threshold);

  // Writes one line for `event` with `fields` (a JSON object, or null for none) if `level` passes the
  // threshold, and flushes it so a crash loses no earlier line.
  void log(LogLevel level, std::string_view event, nlohmann::ordered_json fields = nullptr);

  void debug(std::string_view event, nlohmann::ordered_json fields = nullptr) { log(LogLevel::debug, event, std::move(fields)); }
  void info(std::string_view event, nlohmann::ordered_json fields = nullptr) { log(LogLevel::info, event, std::move(fields)); }
  void warn(std::string_view event, nlohmann::ordered_json fields = nullptr) { log(LogLevel::warn, event, std::move(fields)); }
  void error(std::string_view event, nlohmann::ordered_json fields = nullptr) { log(LogLevel::error, event, std::move(fields)); }

  bool enabled(LogLevel level) const { return level >= threshold_; }

 private:
  std::ostream& out_;
  NodeId node_;
  std::string role_;
  LogLevel threshold_;
};

}  // namespace edgecache::net
