#include "sim/expectations.h"

#include <algorithm>
#include <cstdio>

#include "core/assert.h"

namespace edgecache::sim {
namespace {

std::string format_ms(TimeUs time_us) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(time_us) / 1000.0);
  return text;
}

std::string format_ratio(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", ratio);
  return text;
}

}  // namespace

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
  for (const std::string& edge : expect.disk_degraded) {
    if (std::find(run.disk_degraded_edges.begin(), run.disk_degraded_edges.end(), edge) == run.disk_degraded_edges.end()) {
      fail(edge, "its disk mirror never degraded to memory-only caching, expected it to");
    }
  }
  if (expect.max_fault_p99_ratio) {
    EC_ASSERT(run.latency != nullptr, "max_fault_p99_ratio needs the run's latency figures");
    const LatencyHistogram& steady = run.latency->steady();
    if (steady.count() == 0) {
      fail("", "no request finished before the first fault, so there is no steady-state p99 to compare with");
    } else {
      const TimeUs steady_p99_us = steady.percentile_us(0.99);
      for (const LatencyReport::FaultWindow& window : run.latency->fault_windows()) {
        if (window.latencies.count() == 0) continue;
        const TimeUs p99_us = window.latencies.percentile_us(0.99);
        const double ratio = static_cast<double>(p99_us) / static_cast<double>(steady_p99_us);
        if (ratio > *expect.max_fault_p99_ratio) {
          fail("", "p99 latency " + format_ms(p99_us) + " ms in the window after fault " +
                       std::to_string(window.fault_index) + " (at " + format_ms(window.at_us) + " ms) is " +
                       format_ratio(ratio) + " times the steady-state " + format_ms(steady_p99_us) +
                       " ms, expected at most " + format_ratio(*expect.max_fault_p99_ratio));
        }
      }
    }
  }
  return violations;
}

}  // namespace edgecache::sim
