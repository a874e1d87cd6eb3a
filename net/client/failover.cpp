#include "net/client/failover.h"

#include <algorithm>

#include "core/assert.h"

namespace edgecache::net::client {

void EdgeHealth::failed(std::size_t edge) {
  suspect_until_.at(edge) = std::chrono::steady_clock::now() + std::chrono::milliseconds(suspect_edge_duration_ms);
}

void EdgeHealth::succeeded(std::size_t edge) { suspect_until_.at(edge) = {}; }

bool EdgeHealth::suspect(std::size_t edge) const { return std::chrono::steady_clock::now() < suspect_until_.at(edge); }

std::vector<std::size_t> edge_order(const ClusterView& cluster, const EdgeHealth& health, ImageId image_id) {
  EC_ASSERT(!cluster.edges.empty(), "a client needs at least one edge");
  // The core routes node ids; edge index i stands as node i + 1, which matches the daemons' own edge ids
  // when --edges lists edges 1, 2, 3 in order, so rendezvous picks the same edge a peer would.
  std::vector<NodeId> nodes;
  for (std::size_t index = 0; index < cluster.edges.size(); ++index) nodes.push_back(static_cast<NodeId>(index + 1));
  std::vector<std::size_t> order;
  for (const NodeId node : route(cluster.routing, nodes, image_id)) order.push_back(node - 1);
  std::stable_partition(order.begin(), order.end(), [&](std::size_t edge) { return !health.suspect(edge); });
  return order;
}

boost::asio::awaitable<RoutedResult> fetch_with_failover(const ClusterView& cluster, EdgeHealth& health,
                                                         EdgeConnections& connections, ImageId image_id,
                                                         bool size_only) {
  RoutedResult routed;
  for (const std::size_t edge : edge_order(cluster, health, image_id)) {
    ++routed.attempts;
    routed.edge = edge;
    routed.result = co_await connections.fetch(cluster.edges[edge], cluster.protocol, image_id, size_only);
    if (!worth_failover(routed.result.outcome)) {
      health.succeeded(edge);
      co_return routed;
    }
    // Only an edge that did not answer is suspect; one that answered 503 is up and may serve the next image.
    if (routed.result.outcome == FetchOutcome::connect_failed || routed.result.outcome == FetchOutcome::timeout) {
      health.failed(edge);
    }
    routed.failures.push_back(std::string(fetch_outcome_name(routed.result.outcome)) + ": " + routed.result.detail);
  }
  co_return routed;
}

}  // namespace edgecache::net::client
