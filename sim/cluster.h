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
#include "sim/report.h"
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

// How hosts' nodes are built. Tests replace one to play a deliberately broken node; the defaults build the
// real core nodes.
struct NodeFactories {
  std::function<std::unique_ptr<Node>(Env&, const EdgeConfig&, LruCache&)> edge;
  // The node must also implement RequestPort.
  std::function<std::unique_ptr<Node>(Env&, const ClientConfig&, Client::ResultHandler)> client;
  // Whether edges' disk mirrors check what they load against the checksum in each file's name. Tests turn
  // it off to play an edge that trusts its disk (see DiskMirror).
  bool disk_mirror_verifies = true;
};
NodeFactories default_node_factories();

RunReport run_scenario(const Scenario& scenario, const RunOptions& options,
                       const NodeFactories& factories = default_node_factories());

}  // namespace edgecache::sim
