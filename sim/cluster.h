#pragma once
// Runs a scenario: builds the edge-cache cluster (a canonical, N edges, M clients) in a simulated World,
// drives the workload, executes the fault timeline and the random nemesis, records the trace, runs the
// checkers, and returns a report. Hosts get ids in Bully rank order: edge-i has id i, the canonical N+1,
// client-j N+1+j.

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.h"
#include "core/client.h"
#include "core/edge.h"
#include "core/lru_cache.h"
#include "sim/checkers/checker.h"
#include "sim/scenario.h"

namespace edgecache::sim {

struct RunOptions {
  std::optional<std::uint64_t> seed;  // Overrides the scenario's seed.
  std::string trace_path;             // Where to write the trace; empty computes only its hash.
  // The scenario's catalog (built from catalog_options()), with every checksum computed by the caller so
  // that the runs of a sweep share one instead of each hashing the images it touches. Null: the run builds
  // its own.
  std::shared_ptr<const SyntheticCatalog> catalog;
};

// Returns the options of the synthetic catalog `scenario` describes.
SyntheticCatalogOptions catalog_options(const Scenario& scenario);

// How hosts' nodes are built. Tests replace one to play a deliberately broken node; the defaults build the
// real core nodes.
struct NodeFactories {
  std::function<std::unique_ptr<Node>(Env&, const EdgeConfig&, LruCache&)> edge;
  // The node must also implement RequestPort.
  std::function<std::unique_ptr<Node>(Env&, const ClientConfig&, Client::ResultHandler)> client;
};
NodeFactories default_node_factories();

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
  std::vector<Verdict> verdicts;
  std::vector<Violation> violations;

  bool passed() const { return violations.empty(); }
  std::uint64_t total_requests() const;
  // Returns the violation earliest in simulated time (the first reported among equals), or null if the run
  // passed. Its checker is "the checker a run fails": minimize keeps a candidate that fails the same one, and
  // sweep groups failing seeds by it.
  const Violation* earliest_violation() const;
};

RunReport run_scenario(const Scenario& scenario, const RunOptions& options,
                       const NodeFactories& factories = default_node_factories());

}  // namespace edgecache::sim
