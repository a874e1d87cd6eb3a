#pragma once
// Writes a node trace: one node's own record of what it did, in the simulator's JSON Lines vocabulary, so
// `sim check`, `sim replay-node` and `sim from-trace` can read it (sim/trace/node_trace.h). The daemons, the
// load client and `sim real`'s controller write with it, and so does the tests' recorded cluster, which
// stands in for real daemons. docs/real-traces.md is the format's contract: which lines exist, what each
// field means, and what makes a node replayable from them.
//
// Every line goes to the sink as soon as it is finished; the file sink flushes it at once, so a process
// killed with SIGKILL leaves a trace that is whole up to its last event.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/edge.h"
#include "core/env.h"
#include "core/messages.h"
#include "core/types.h"

namespace edgecache::sim {

// When an event happened, in the node's two clocks, and the node's Lamport clock after it.
struct TraceStamp {
  TimeUs t_us = 0;          // The node's monotonic time (frozen for the event, as the node saw it).
  std::int64_t wall_us = 0; // Microseconds since the Unix epoch.
  std::uint64_t lamport = 0;
};

class NodeTraceWriter {
 public:
  // Takes each finished line, without its newline. It must not call back into the writer.
  using LineSink = std::function<void(const std::string& line)>;

  // Opens `path` for writing (truncating it), for the node named `self`. Returns nothing and sets `error` if
  // it cannot be opened. `hosts` names the node ids the trace will mention; others are named as
  // recorded_node_name (sim/trace/node_names.h) says.
  static std::unique_ptr<NodeTraceWriter> open(const std::string& path, std::string self,
                                               std::map<NodeId, std::string> hosts, std::string& error);
  // Writes to `sink` instead of a file.
  NodeTraceWriter(LineSink sink, std::string self, std::map<NodeId, std::string> hosts);
  NodeTraceWriter(const NodeTraceWriter&) = delete;
  NodeTraceWriter& operator=(const NodeTraceWriter&) = delete;

  // Writes the header line: `fields` plus format, version, source and hosts. Must come first, once.
  void header(nlohmann::ordered_json fields);

  // One event line. Fields are added in call order; the destructor writes the line.
  class Line {
   public:
    Line(NodeTraceWriter& trace, const TraceStamp& stamp, std::string_view event);
    ~Line();
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;

    Line& field(std::string_view key, std::uint64_t value);
    Line& field(std::string_view key, std::int64_t value);
    Line& field(std::string_view key, bool value);
    Line& field(std::string_view key, std::string_view value);
    Line& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    // A value that is JSON already (an array of groups, say).
    Line& json_field(std::string_view key, nlohmann::ordered_json value);
    // The message's kind and identifying fields, as the simulator's trace shows them.
    Line& message(const Message& message);

   private:
    NodeTraceWriter& trace_;
    nlohmann::ordered_json line_;
  };

  // The lines every node records about its inputs and outputs.
  void started(const TraceStamp& stamp);
  void received(const TraceStamp& stamp, NodeId from, std::uint64_t sent_lamport, const Message& message);
  void timer_fired(const TraceStamp& stamp, TimerId id, const Timer& timer);
  void sent(const TraceStamp& stamp, NodeId to, const Message& message);
  void timer_set(const TraceStamp& stamp, TimerId id, const Timer& timer, TimeUs delay_us);
  void timer_cancelled(const TraceStamp& stamp, TimerId id);
  // An edge's new role, leader or epoch, written after the input that changed it.
  void state(const TraceStamp& stamp, const EdgeStatus& status);

  // Writes the closing summary line and releases the sink (closing the file). Nothing may be written after.
  void close(nlohmann::ordered_json summary);

  // The name the trace uses for node `id`.
  std::string name_of(NodeId id) const;
  std::uint64_t lines() const { return lines_; }

 private:
  void write(const nlohmann::ordered_json& value);

  LineSink sink_;
  std::string self_;
  std::map<NodeId, std::string> hosts_;
  std::uint64_t lines_ = 0;
};

}  // namespace edgecache::sim
