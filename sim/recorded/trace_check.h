#pragma once
// Judges a real run from its node traces with the simulator's own checkers: the traces are merged in causal
// order (sim/trace/trace_merge.h), every edge and canonical incarnation is replayed (sim/recorded/node_replay.h) so the
// checkers see real EdgeObservables and the Message objects sent and delivered, the load client's submit and
// result lines become the checkers' requests, and the fault controller's lines say which hosts were down,
// paused or cut off. The result is the RunReport a simulated run produces, so it prints the same way.

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/cluster.h"
#include "sim/trace/node_trace.h"
#include "sim/scenario.h"

namespace edgecache::sim {

struct TraceCheckResult {
  RunReport report;
  // Set if a trace holds something that cannot be fed to a node (a payload that does not decode); the
  // report is then incomplete.
  std::optional<NodeTraceError> error;
  std::uint64_t sends_missing = 0;  // Receipts whose send no trace records.
  std::uint64_t forced = 0;         // Merge steps that had to break a causal cycle (see MergedOrder).
};

// Runs the checkers over `traces`, with the checks, expectations and quiet period of `scenario`. Checker
// time is microseconds since the earliest header's wall_us, never decreasing in merge order.
TraceCheckResult check_node_traces(const std::vector<NodeTrace>& traces, const Scenario& scenario);

}  // namespace edgecache::sim
