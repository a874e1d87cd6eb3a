#pragma once
// Turns what a real cluster did (its node traces, docs/real-traces.md) into a scenario for the simulator, so
// that a failure seen once for real can be explored under many seeds. The cluster's shape and settings come
// from the daemons' headers, the catalog from the canonical's, the workload from the load client's submits,
// and the faults from the fault controller's log or, without one, from what the traces show.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/trace/node_trace.h"
#include "sim/scenario.h"

namespace edgecache::sim {

struct TraceScenario {
  Scenario scenario;
  // What the caller should tell the user: guesses made, data left out, settings that disagreed.
  std::vector<std::string> notes;
  std::int64_t time_zero_wall_us = 0;  // The wall clock instant that became the scenario's time 0.
  std::string time_zero_source;        // "the controller's header" or "the earliest trace header".
};

// Why the traces cannot become a scenario; `message` names the file and line when there is one.
struct TraceScenarioError {
  std::string message;
};

// Builds the scenario from parsed node traces (any order; incarnations of one node are told apart by their
// header's wall_us). REQUIRES nothing of the traces beyond what parse_node_trace checked. Returns an error if
// no trace is an edge's, if the controller's recorded scenario is invalid, or if a client line is malformed.
// The popularity is uniform unless the request counts are too uneven for a uniform draw and fit a Zipf
// exponent of at least 0.2. The scenario always passes parse_scenario(scenario_to_json(...)).
std::variant<TraceScenario, TraceScenarioError> trace_to_scenario(const std::vector<NodeTrace>& traces);

// Fits a Zipf exponent to request counts per image by least squares on log(count) against log(rank), over
// the images requested at least twice. Returns nothing if fewer than min_images_for_zipf_fit qualify.
constexpr std::size_t min_images_for_zipf_fit = 5;
std::optional<double> fit_zipf_exponent(std::vector<std::uint64_t> counts);

}  // namespace edgecache::sim
