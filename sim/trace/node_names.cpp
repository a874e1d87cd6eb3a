#include "sim/trace/node_names.h"

namespace edgecache::sim {

std::string recorded_node_name(const std::map<NodeId, std::string>& hosts, NodeId id) {
  if (auto found = hosts.find(id); found != hosts.end()) return found->second;
  if (id >= first_local_client_id) return "local-" + std::to_string(id - first_local_client_id);
  return "node-" + std::to_string(id);
}

}  // namespace edgecache::sim
