#pragma once
// The daemon's log: one line per event on an output stream (stdout in the daemon). Two forms of the same
// events: `human` (the default), a short sentence an operator reads in `docker compose logs -f`, such as
// "12:00:01.234 edge-2 INFO leader elected: edge-3 (epoch 4)"; and `json`, one JSON object per line with a
// UTC timestamp, the node, the level, the event name and the event's own fields, for log collectors.

#include <cstdint>
#include <map>
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

enum class LogFormat : std::uint8_t { human = 0, json = 1 };

// Returns the format named `name` ("human", "json"), or nothing for any other name.
std::optional<LogFormat> parse_log_format(std::string_view name);

// Names of nodes in human lines ("edge-3", "canonical"); a node not named here is named as node traces name
// it (sim::recorded_node_name: "local-N" for a local client, else "node-ID").
using NodeNames = std::map<NodeId, std::string>;

// Returns the human line's text for `event` with `fields` (an object, or null for none), without the time,
// node and level: a sentence for the events the daemon knows, else "event key=value ...". Node ids in the
// fields "peer", "leader" and "claimed" are shown by their `names`. Control characters in values become '?', so every
// event stays on one line whatever a peer sent.
std::string human_event_text(std::string_view event, const nlohmann::ordered_json& fields, const NodeNames& names);

class Logger {
 public:
  // `out` must outlive the logger. Lines below `threshold` are discarded. `node` and `role` identify this
  // node in JSON lines; human lines call it and its peers by `names`.
  Logger(std::ostream& out, NodeId node, std::string role, LogLevel threshold, LogFormat format = LogFormat::human,
         NodeNames names = {});

  // Writes one line for `event` with `fields` (a JSON object, or null for none) if `level` passes the
  // threshold, and flushes it so a crash loses no earlier line.
  void log(LogLevel level, std::string_view event, nlohmann::ordered_json fields = nullptr);

  void debug(std::string_view event, nlohmann::ordered_json fields = nullptr) { log(LogLevel::debug, event, std::move(fields)); }
  void info(std::string_view event, nlohmann::ordered_json fields = nullptr) { log(LogLevel::info, event, std::move(fields)); }
  void warn(std::string_view event, nlohmann::ordered_json fields = nullptr) { log(LogLevel::warn, event, std::move(fields)); }
  void error(std::string_view event, nlohmann::ordered_json fields = nullptr) { log(LogLevel::error, event, std::move(fields)); }

  bool enabled(LogLevel level) const { return level >= threshold_; }
  const NodeNames& names() const { return names_; }

 private:
  std::ostream& out_;
  NodeId node_;
  std::string role_;
  LogLevel threshold_;
  LogFormat format_;
  NodeNames names_;
};

}  // namespace edgecache::net
