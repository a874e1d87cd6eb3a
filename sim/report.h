#pragma once
// What a run found (RunReport), and how it is shown: a readable summary for people and one JSON object for
// programs. The simulator and `sim check` over a real run's traces both fill a RunReport.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/disk_mirror.h"
#include "core/edge.h"
#include "sim/checkers/checker.h"
#include "sim/latency.h"
#include "sim/scenario.h"
#include "sim/world/sim_disk.h"

namespace edgecache::sim {

constexpr std::size_t outcome_count = 4;
constexpr std::size_t request_kind_count = 2;

struct RunReport {
  std::string scenario_name;
  std::uint64_t seed = 0;
  Protocol protocol = Protocol::standard;
  std::uint64_t trace_hash = 0;
  std::uint64_t trace_lines = 0;
  std::string trace_path;   // Set if the trace was written.
  std::string trace_error;  // Set if it could not be.
  std::uint64_t events = 0;
  TimeUs sim_time_us = 0;
  double wall_seconds = 0;  // Filled in by the command that ran it; the simulator itself never reads a clock.
  bool from_real_run = false;  // Judged from a real cluster's node traces (sim check); sim_time_us is its span.
  std::uint32_t edges = 0;
  std::array<std::array<std::uint64_t, outcome_count>, request_kind_count> requests{};  // [kind][outcome]
  EdgeCounters edge_totals;  // Summed over every edge and incarnation.
  std::uint64_t leader_changes = 0;  // Times an edge became leader, after the first election.
  std::uint64_t max_origin_fetches_per_image = 0;
  std::optional<std::string> final_leader;  // Followed by every running edge at the end, if they agree.
  Epoch final_epoch = 0;
  std::vector<Fault> faults;  // Every fault executed, scripted or from the nemesis, resolved to host names.
  // The edges' simulated disks (cluster.disk), summed over edges and incarnations; absent without disks.
  struct DiskFigures {
    DiskMirrorCounters mirrors;
    SimDiskCounters disks;
    std::vector<std::string> degraded_edges;  // Edges whose mirror was degraded at some point.
  };
  std::optional<DiskFigures> disk;
  LatencyReport latency;      // Of every request that got an outcome other than rejected.
  std::vector<Verdict> verdicts;
  std::vector<Violation> violations;

  bool passed() const { return violations.empty(); }
  std::uint64_t total_requests() const;
  // Returns the violation earliest in simulated time (the first reported among equals), or null if the run
  // passed. Its checker is "the checker a run fails": minimize keeps a candidate that fails the same one, and
  // sweep groups failing seeds by it.
  const Violation* earliest_violation() const;
};

// The command that reproduces a run of `scenario_path` with `seed`.
std::string reproduce_command(const std::string& scenario_path, std::uint64_t seed);

// A multi-line summary: requests by kind and outcome, latency percentiles, cache figures, elections, faults, each checker's
// verdict, the trace hash, and for a failing run the violations and how to reproduce them. `reproduce`
// replaces the command shown for a failing run (a run judged from traces is not reproduced by a seed).
std::string format_summary(const RunReport& report, const std::string& scenario_path, const std::string& reproduce = "");

// One JSON object with at least seed, trace_hash, events, sim_time_ms, requests, latency, leader_changes and
// violations ([{checker, time (ms), time_us, node, detail}]). `reproduce` as for format_summary.
nlohmann::json report_to_json(const RunReport& report, const std::string& scenario_path, const std::string& reproduce = "");

}  // namespace edgecache::sim
