#include "net/client/failover.h"

#include "core/assert.h"

namespace edgecache::net::client {
namespace {

NodeId node_of(std::size_t edge) { return static_cast<NodeId>(edge + 1); }

}  // namespace

std::vector<std::size_t> edge_order(const ClusterView& cluster, ClientHealth& health, ImageId image_id) {
  EC_ASSERT(!cluster.edges.empty(), "a client needs at least one edge");
  // The core routes node ids; edge index i stands as node i + 1, which matches the daemons' own edge ids
  // when --edges lists edges 1, 2, 3 in order, so rendezvous picks the same edge a peer would.
  std::vector<NodeId> nodes;
  for (std::size_t index = 0; index < cluster.edges.size(); ++index) nodes.push_back(node_of(index));
  std::vector<NodeId> routed = route(cluster.routing, nodes, image_id);
  if (!health.edges.take_probe(routed.front(), health.clock.now_us())) health.edges.order(routed);
  std::vector<std::size_t> order;
  for (const NodeId node : routed) order.push_back(node - 1);
  return order;
}

boost::asio::awaitable<RoutedResult> fetch_with_failover(const ClusterView& cluster, ClientHealth& health,
                                                         EdgeConnections& connections, ImageId image_id,
                                                         bool size_only) {
  RoutedResult routed;
  for (const std::size_t edge : edge_order(cluster, health, image_id)) {
    ++routed.attempts;
    routed.edge = edge;
    routed.result = co_await connections.fetch(cluster.edges[edge], cluster.protocol, image_id, size_only);
    if (!worth_failover(routed.result.outcome)) {
      health.edges.succeeded(node_of(edge));
      co_return routed;
    }
    // Down, silent, unavailable or corrupt: as in the core's client, each of these ejects the edge.
    health.edges.failed(node_of(edge), health.clock.now_us());
    routed.failures.push_back(std::string(fetch_outcome_name(routed.result.outcome)) + ": " + routed.result.detail);
  }
  co_return routed;
}

}  // namespace edgecache::net::client
