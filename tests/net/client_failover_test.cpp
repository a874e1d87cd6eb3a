// Tests for the real client's routing over the shared health policy (net/client/failover.cpp). Method: call
// edge_order with a ClientHealth whose edges are marked failed by hand, and check the order a request tries
// the edges in; the policy's own timing is tested with the core (tests/core/edge_health_test.cpp).

#include <catch2/catch.hpp>

#include "net/client/failover.h"

namespace edgecache::net::client {
namespace {

ClusterView three_edges() {
  ClusterView cluster;
  for (std::uint16_t port = 8001; port <= 8003; ++port) cluster.edges.push_back(Address{"127.0.0.1", port});
  return cluster;
}

TEST_CASE("client failover: the routed order stands while every edge is healthy", "[net][client][failover]") {
  ClientHealth health;
  // Image 4 routes to index 4 mod 3 = 1 first, then the following ones in turn.
  CHECK(edge_order(three_edges(), health, 4) == std::vector<std::size_t>{1, 2, 0});
}

TEST_CASE("client failover: an ejected edge is tried last until its probe is due", "[net][client][failover]") {
  ClientHealth health;
  // Edge index 1 is node 2 to the policy.
  health.edges.failed(2, health.clock.now_us());
  CHECK(edge_order(three_edges(), health, 4) == std::vector<std::size_t>{2, 0, 1});
  CHECK(edge_order(three_edges(), health, 5) == std::vector<std::size_t>{2, 0, 1});
  CHECK(edge_order(three_edges(), health, 3) == std::vector<std::size_t>{0, 2, 1});
}

TEST_CASE("client failover: a due probe is the next request routed to the edge", "[net][client][failover]") {
  ClientHealth health;
  // Failed a whole ejection ago by the policy's clock, so a probe is due at once.
  health.edges.failed(2, health.clock.now_us() - EdgeHealthPolicy{}.first_ejection_us);
  CHECK(edge_order(three_edges(), health, 4) == std::vector<std::size_t>{1, 2, 0});
  // One probe at a time: the next request routed there goes elsewhere first.
  CHECK(edge_order(three_edges(), health, 4) == std::vector<std::size_t>{2, 0, 1});
  health.edges.succeeded(2);
  CHECK(edge_order(three_edges(), health, 4) == std::vector<std::size_t>{1, 2, 0});
}

}  // namespace
}  // namespace edgecache::net::client
