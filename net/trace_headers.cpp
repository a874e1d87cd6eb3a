#include "net/trace_headers.h"

#include <unistd.h>

#include "core/hex.h"

namespace edgecache::net {

std::map<NodeId, std::string> trace_host_names(const DaemonConfig& config) {
  std::map<NodeId, std::string> names;
  for (const auto& [id, address] : config.edges) names[id] = "edge-" + std::to_string(id);
  if (config.canonical_id != 0) names[config.canonical_id] = "canonical";
  if (config.role == DaemonRole::canonical) names[config.id] = "canonical";
  return names;
}

nlohmann::ordered_json daemon_trace_header(const DaemonConfig& config, const RealEnv& env) {
  nlohmann::ordered_json header;
  header["node"] = trace_host_names(config).at(config.id);
  header["node_id"] = config.id;
  header["role"] = daemon_role_name(config.role);
  header["wall_us"] = wall_clock_us();
  // A u64 does not survive a JSON reader that parses numbers as doubles; a string does.
  header["random_seed"] = std::to_string(env.random_seed());
  header["pid"] = static_cast<std::int64_t>(::getpid());
  return header;
}

namespace {

nlohmann::ordered_json image_entry(ImageId id, const Body& body) {
  return nlohmann::ordered_json::array({id, body->size(), hex64(body->checksum())});
}

}  // namespace

nlohmann::ordered_json preloaded_cache_json(const LruCache& cache, const std::vector<ImageId>& load_order) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (ImageId id : load_order) {
    // Ids the load evicted again are left out. The survivors, inserted in load order into an empty cache of
    // the same budget, fit without evictions and end in the same recency order.
    if (Body body = cache.peek(id)) entries.push_back(image_entry(id, body));
  }
  return entries;
}

nlohmann::ordered_json catalog_json(const MemoryCatalog& catalog) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (ImageId id : catalog.ids()) entries.push_back(image_entry(id, catalog.body(id)));
  return entries;
}

}  // namespace edgecache::net
