#include "sim/expectations.h"

namespace edgecache::sim {

std::vector<Violation> check_expectations(const Expectations& expect, const ExpectationInputs& run, TimeUs now) {
  std::vector<Violation> violations;
  auto fail = [&](std::string node, std::string detail) {
    violations.push_back(Violation{"expect", now, std::move(node), std::move(detail)});
  };
  if (expect.final_leader) {
    for (const ExpectationInputs::RunningEdge& edge : run.running_edges) {
      if (edge.leader != *expect.final_leader) {
        fail(edge.name, "follows " + edge.leader.value_or("no leader") + ", expected final leader " + *expect.final_leader);
      }
    }
  }
  if (expect.min_success_ratio) {
    std::uint64_t ok = 0;
    std::uint64_t counted = 0;
    for (const auto& by_outcome : run.requests) {
      ok += by_outcome[static_cast<std::size_t>(Outcome::ok)];
      for (std::size_t outcome = 0; outcome < outcome_count; ++outcome) {
        if (outcome != static_cast<std::size_t>(Outcome::not_found)) counted += by_outcome[outcome];
      }
    }
    double ratio = counted == 0 ? 1.0 : static_cast<double>(ok) / static_cast<double>(counted);
    if (ratio < *expect.min_success_ratio) {
      fail("", "success ratio " + std::to_string(ratio) + " below the expected " + std::to_string(*expect.min_success_ratio));
    }
  }
  if (expect.max_origin_fetches_per_image) {
    for (const auto& [image, count] : run.origin_fetches_per_image) {
      if (count > *expect.max_origin_fetches_per_image) {
        fail("", "image " + std::to_string(image) + " was fetched from the origin " + std::to_string(count) +
                     " times, expected at most " + std::to_string(*expect.max_origin_fetches_per_image));
      }
    }
  }
  if (expect.min_leader_changes && run.leader_changes < *expect.min_leader_changes) {
    fail("", std::to_string(run.leader_changes) + " leader changes, expected at least " +
                 std::to_string(*expect.min_leader_changes));
  }
  if (expect.min_evictions && run.evictions < *expect.min_evictions) {
    fail("", std::to_string(run.evictions) + " evictions, expected at least " + std::to_string(*expect.min_evictions));
  }
  return violations;
}

}  // namespace edgecache::sim
