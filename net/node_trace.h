#pragma once
// A node trace: one daemon's (or the load client's) own record of what it did, in the simulator's JSON Lines
// format, so `sim check`, `sim replay-node` and `sim from-trace` can read it. docs/real-traces.md is the
// format's contract: which lines exist, what each field means, and what makes a node replayable from them.
//
// Every line is written and flushed as soon as it is finished, so a process killed with SIGKILL leaves a
// trace that is whole up to its last event.

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/hex.h"
#include "core/messages.h"
#include "core/types.h"

namespace edgecache::net {

// When an event happened, in the node's two clocks, and the node's Lamport clock after it.
struct TraceStamp {
  TimeUs t_us = 0;          // The node's monotonic time (frozen for the event, as the node saw it).
  std::int64_t wall_us = 0; // Microseconds since the Unix epoch.
  std::uint64_t lamport = 0;
};

class NodeTrace {
 public:
  // Opens `path` for writing (truncating it), for the node named `self`. Returns nothing and sets `error` if it
  // cannot be opened. `hosts` names the node ids the trace will mention; other ids are named "local-N" (N the id minus
  // first_local_client_id) if they are local clients, else "node-ID".
  static std::unique_ptr<NodeTrace> open(const std::string& path, std::string self, std::map<NodeId, std::string> hosts,
                                         std::string& error);
  ~NodeTrace();
  NodeTrace(const NodeTrace&) = delete;
  NodeTrace& operator=(const NodeTrace&) = delete;

  // Writes the header line: `fields` plus format, version, source and hosts. Must come first, once.
  void header(nlohmann::ordered_json fields);

  // One event line. Fields are added in call order; the destructor writes the line.
  class Line {
   public:
    Line(NodeTrace& trace, const TraceStamp& stamp, std::string_view event);
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
    NodeTrace& trace_;
    nlohmann::ordered_json line_;
  };

  // The lines every node records about its inputs and outputs.
  void started(const TraceStamp& stamp);
  void received(const TraceStamp& stamp, NodeId from, std::uint64_t sent_lamport, const Message& message);
  void timer_fired(const TraceStamp& stamp, TimerId id, const Timer& timer);
  void sent(const TraceStamp& stamp, NodeId to, const Message& message);
  void timer_set(const TraceStamp& stamp, TimerId id, const Timer& timer, TimeUs delay_us);
  void timer_cancelled(const TraceStamp& stamp, TimerId id);

  // Writes the closing summary line and closes the file. Nothing may be written after it.
  void close(nlohmann::ordered_json summary);

  // The name the trace uses for node `id`.
  std::string name_of(NodeId id) const;
  std::uint64_t lines() const { return lines_; }

 private:
  NodeTrace(std::FILE* file, std::string self, std::map<NodeId, std::string> hosts);
  void write(const nlohmann::ordered_json& value);

  std::FILE* file_;
  std::string self_;
  std::map<NodeId, std::string> hosts_;
  std::uint64_t lines_ = 0;
};

// Microseconds since the Unix epoch, now.
std::int64_t wall_clock_us();


}  // namespace edgecache::net
