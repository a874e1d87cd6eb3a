#pragma once
// How node traces name the nodes they mention: by the header's "hosts" map, else "local-N" for a daemon's
// local client (an HTTP or RPC request, N its id minus first_local_client_id), else "node-ID". The daemons'
// writer, the replay and the checker driver all name nodes this way, so their lines compare equal.

#include <map>
#include <string>

#include "core/types.h"

namespace edgecache::sim {

// Node ids at and above this are synthetic clients that stand for a daemon's local requests; replies
// addressed to them go back to the waiting session, never to the network. Configured nodes stay below.
constexpr NodeId first_local_client_id = 1'000'000;

// The name a node trace gives node `id`, given the trace's `hosts`.
std::string recorded_node_name(const std::map<NodeId, std::string>& hosts, NodeId id);

}  // namespace edgecache::sim
