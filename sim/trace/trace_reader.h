#pragma once
// Reads a whole trace (JSON Lines, see sim/trace/trace.h) for tools that look at it rather than replay it: the
// viewer and the ShiViz export. It accepts every trace format version up to this sim's, and a trace cut
// short (no summary line), because a picture of a crashed run is exactly what one wants to see.
//
// Each event keeps its line's text, so a page can embed the events as they were recorded; the few fields
// the exports need are parsed once into the struct.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace edgecache::sim {

struct TraceEvent {
  std::string text;         // The line as recorded, without its newline.
  std::size_t line = 0;     // 1-based line number in the file (the header is line 1).
  std::int64_t t_us = 0;    // Global simulated time.
  std::string ev;           // send, recv, drop, timer, state, fault, violation, ...
  std::string node;         // The host it happened on; empty for cluster-wide events (a partition).
  std::string peer;         // send: the destination; recv and drop: the source; otherwise empty.
  std::optional<std::uint64_t> message_id;  // msg_id of send, recv and drop lines (format version >= 2).
};

struct ParsedTrace {
  nlohmann::json header;                 // The first line: format, version, seed, scenario, hosts.
  std::vector<TraceEvent> events;        // Every line between the header and the summary, in order.
  std::optional<nlohmann::json> summary;  // The closing line, absent from a trace cut short.
  // Host names in lane order: the header's hosts (edges, canonical, clients, by id), then any other node
  // the events mention, in order of first appearance.
  std::vector<std::string> hosts;
};

// Why a text is not a readable trace, with the 1-based line it concerns.
struct TraceReadError {
  std::size_t line = 0;
  std::string reason;
};

// Parses a trace's whole text. Blank lines are refused like any other malformed line.
std::variant<ParsedTrace, TraceReadError> parse_trace(std::string_view text);

}  // namespace edgecache::sim
