#pragma once
// What a daemon's node trace header holds besides the common fields: everything a replay needs to rebuild
// the node as the daemon built it (docs/real-traces.md, "Header").

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.h"
#include "core/edge.h"
#include "core/lru_cache.h"
#include "net/config.h"
#include "net/real_env.h"
#include "sim/trace/edge_config_json.h"

namespace edgecache::net {

// The names node traces give the daemon's hosts: "edge-ID" for every edge, "canonical" for the canonical.
std::map<NodeId, std::string> trace_host_names(const DaemonConfig& config);

// The header fields every daemon writes: node, node_id, role, wall_us, random_seed, pid.
nlohmann::ordered_json daemon_trace_header(const DaemonConfig& config, const RealEnv& env);


// The cache the edge starts with (loaded from its data directory): [[id, size_bytes, "checksum"], ...] in
// insertion order, so a replay that inserts them in order into a cache of the same budget starts the same.
nlohmann::ordered_json preloaded_cache_json(const LruCache& cache, const std::vector<ImageId>& load_order);

// The canonical's catalog: [[id, size_bytes, "checksum"], ...], ascending ids.
nlohmann::ordered_json catalog_json(const MemoryCatalog& catalog);

}  // namespace edgecache::net
