#pragma once
// A scenario's `expect` block, judged at the end of a run from figures the run gathered. The simulator
// (sim/cluster.cpp) and `sim check` over a real run's traces gather them their own way and judge them here,
// so both report the same violations in the same words.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/checkers/checker.h"
#include "sim/latency.h"
#include "sim/report.h"

namespace edgecache::sim {

struct ExpectationInputs {
  struct RunningEdge {
    std::string name;
    std::optional<std::string> leader;  // The host it follows, or nothing.
  };
  std::vector<RunningEdge> running_edges;  // The edges running at the end, in id order.
  std::array<std::array<std::uint64_t, outcome_count>, request_kind_count> requests{};  // [kind][outcome]
  std::map<ImageId, std::uint64_t> origin_fetches_per_image;
  std::uint64_t leader_changes = 0;
  std::uint64_t evictions = 0;
  const LatencyReport* latency = nullptr;  // The run's; REQUIRED by max_fault_p99_ratio.
  std::vector<std::string> disk_degraded_edges;  // Edges whose disk mirror was degraded at some point.
};

// Returns one violation (checker "expect", at `now`) for every expectation the run did not meet.
std::vector<Violation> check_expectations(const Expectations& expect, const ExpectationInputs& run, TimeUs now);

}  // namespace edgecache::sim
