#pragma once
// How a run is shown: a readable summary for people and one JSON object for programs.

#include <string>

#include <nlohmann/json.hpp>

#include "sim/cluster.h"

namespace edgecache::sim {

// The command that reproduces a run of `scenario_path` with `seed`.
std::string reproduce_command(const std::string& scenario_path, std::uint64_t seed);

// A multi-line summary: requests by kind and outcome, cache figures, elections, faults, each checker's
// verdict, the trace hash, and for a failing run the violations and how to reproduce them. `reproduce`
// replaces the command shown for a failing run (a run judged from traces is not reproduced by a seed).
std::string format_summary(const RunReport& report, const std::string& scenario_path, const std::string& reproduce = "");

// One JSON object with at least seed, trace_hash, events, sim_time_ms, requests, leader_changes and
// violations ([{checker, time (ms), time_us, node, detail}]). `reproduce` as for format_summary.
nlohmann::json report_to_json(const RunReport& report, const std::string& scenario_path, const std::string& reproduce = "");

}  // namespace edgecache::sim
