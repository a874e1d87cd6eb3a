#pragma once
// Re-drives one recorded incarnation of a real node (an edge or the canonical) from its node trace: builds the
// node from the header, feeds it the recorded inputs with the recorded time and random stream, and compares
// every send and timer call it makes with the recorded outputs (docs/real-traces.md, "What makes a node
// replayable"). `sim replay-node` reports the first divergence; `sim check` uses the replayed node as the
// checkers' view of the edge and as the source of the messages it sent.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "core/catalog.h"
#include "core/edge.h"
#include "core/lru_cache.h"
#include "core/messages.h"
#include "sim/trace/node_trace.h"

namespace edgecache::sim {

// One call the replayed node made through its Env.
struct ReplayedOutput {
  std::string ev;  // "send", "timer_set" or "timer_cancel", as the trace names it.
  NodeId to = 0;
  Message message;
  TimerId timer_id = 0;
  Timer timer;
  TimeUs delay_us = 0;
};

// What stopped a replay: the node did something other than what was recorded, or the trace holds an input
// that cannot be fed to a node (a payload that does not decode, an unknown timer kind).
struct ReplayProblem {
  enum class Kind : std::uint8_t { divergence, bad_input };
  Kind kind = Kind::divergence;
  std::size_t line = 0;  // The trace line where it was found.
  std::string expected;  // Divergence: the recorded line, or what the trace shows instead.
  std::string actual;    // Divergence: what the replayed node did. Bad input: why the line cannot be used.
};

class NodeReplay {
 public:
  // Builds the node the header describes. REQUIRES: the role is edge or canonical; `trace` outlives this.
  explicit NodeReplay(const NodeTrace& trace);
  ~NodeReplay();
  NodeReplay(const NodeReplay&) = delete;
  NodeReplay& operator=(const NodeReplay&) = delete;

  // Handles trace.events[index]: runs an input on the node, matches an output with the next call the node
  // made, or compares a state line with the edge's status; other lines are passed over. Events must be
  // stepped in order, each once. Returns the problem found, after which the replay must not be stepped again.
  std::optional<ReplayProblem> step(std::size_t index);
  // Called after the last event: calls the node made that the trace does not record are a divergence if the
  // trace ended with its summary line; without one, the process died and its last outputs are unknown.
  std::optional<ReplayProblem> finish();

  // After stepping a recv line: the message delivered, decoded from its payload.
  const Message* delivered() const { return delivered_ ? &*delivered_ : nullptr; }
  // After stepping a timer line: the timer fired.
  const Timer* fired() const { return fired_ ? &*fired_ : nullptr; }
  // After stepping an output line: the call of the node it matched.
  const ReplayedOutput* matched() const { return matched_ ? &*matched_ : nullptr; }
  // The edge being replayed, or nullptr for a canonical.
  const Edge* edge() const;

  std::uint64_t inputs() const { return inputs_; }
  std::uint64_t outputs() const { return outputs_; }

  // Renders an output the way a trace line shows it, for messages that set it beside the recorded line.
  std::string describe(const ReplayedOutput& output) const;

 private:
  class ReplayEnv;

  std::optional<ReplayProblem> run_input(const NodeTraceEvent& event);
  std::optional<ReplayProblem> match_output(const NodeTraceEvent& event);
  std::optional<ReplayProblem> check_state(const NodeTraceEvent& event) const;
  std::string name_of(NodeId id) const;

  const NodeTrace& trace_;
  std::unique_ptr<ReplayEnv> env_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<LruCache> cache_;
  std::unique_ptr<Node> node_;
  std::deque<ReplayedOutput> pending_;  // Calls the node made that no output line has matched yet.
  std::size_t last_input_line_ = 0;
  std::optional<Message> delivered_;
  std::optional<ReplayedOutput> matched_;
  std::optional<Timer> fired_;
  std::uint64_t inputs_ = 0;
  std::uint64_t outputs_ = 0;
};

struct NodeReplayResult {
  std::uint64_t inputs = 0;   // Inputs fed to the node.
  std::uint64_t outputs = 0;  // Recorded outputs the node reproduced.
  std::optional<ReplayProblem> problem;
};

// Replays a whole trace and returns the first problem, if any. REQUIRES: as for NodeReplay.
NodeReplayResult replay_node_trace(const NodeTrace& trace);

}  // namespace edgecache::sim
