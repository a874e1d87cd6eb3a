#pragma once
// Reads a node trace: what one real daemon (or the load client, or tools/real-run's fault log) recorded about
// itself with --trace. docs/real-traces.md is the format's contract; this reader checks a file against it
// once, so the replay and the checker driver can read fields without checking them again.
//
// A killed process leaves no summary line and possibly half a last line; both are accepted, since a trace of
// a crash is exactly what one wants to check. Every error names the file and the 1-based line.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/edge.h"
#include "core/types.h"
#include "sim/trace/node_names.h"

namespace edgecache::sim {

enum class NodeRole : std::uint8_t { edge, canonical, client, controller };
const char* node_role_name(NodeRole role);

// One image as a header lists it: a canonical's catalog entry, or an edge's cache content at start.
struct RecordedImage {
  ImageId id = 0;
  std::uint64_t size_bytes = 0;
  std::uint64_t checksum = 0;
};

struct NodeTraceHeader {
  NodeRole role = NodeRole::edge;
  std::string node;  // The host name, "edge-3".
  NodeId node_id = 0;
  std::uint64_t random_seed = 0;
  std::int64_t wall_us = 0;  // Microseconds since the Unix epoch when t_us was 0.
  std::map<NodeId, std::string> hosts;
  // Edges: the node's configuration, its cache budget, and what its cache held when the node was built (a
  // disk cache that survived a restart, "preloaded"), in the order it was loaded, so inserting them in that
  // order rebuilds the same recency.
  EdgeConfig edge_config;
  std::uint64_t cache_budget_bytes = 0;
  std::vector<RecordedImage> preloaded;
  // Canonical: every image it serves.
  std::vector<RecordedImage> catalog;
  nlohmann::json json;  // The whole line, for keys only some readers want (the controller's "scenario").
};

// One event line. Its fields were checked against the contract for its `ev`, so readers may use json.at().
struct NodeTraceEvent {
  std::size_t line = 0;  // 1-based; the header is line 1.
  std::string ev;
  TimeUs t_us = 0;
  std::int64_t wall_us = 0;
  std::uint64_t lamport = 0;
  nlohmann::json json;
  std::string text;  // The line as recorded, for messages that show it.
};

struct NodeTrace {
  std::string path;
  NodeTraceHeader header;
  std::vector<NodeTraceEvent> events;
  std::optional<nlohmann::json> summary;  // Absent if the process did not shut down cleanly.
  bool last_line_cut = false;             // A half-written last line was dropped.
};

// Why a file is not a node trace: "PATH:LINE: REASON".
struct NodeTraceError {
  std::string path;
  std::size_t line = 0;
  std::string reason;
  std::string message() const;
};

// Parses a node trace's whole text; `path` only names it in errors.
std::variant<NodeTrace, NodeTraceError> parse_node_trace(std::string_view text, const std::string& path);
// Reads and parses the file at `path`.
std::variant<NodeTrace, NodeTraceError> read_node_trace(const std::string& path);

// Reads every file of `paths`, for the commands that take a run's traces. On the first that is not a node
// trace prints "PATH:LINE: REASON" to stderr and returns nothing.
std::optional<std::vector<NodeTrace>> read_node_traces(const std::vector<std::string>& paths);

// Whether `ev` names an input the node handles (started, recv, timer) or an output it made (send, timer_set,
// timer_cancel).
bool is_input_event(std::string_view ev);
bool is_output_event(std::string_view ev);

}  // namespace edgecache::sim
