// Tests for routing. Method: modulo routing is checked against hand-computed orders. Rendezvous routing is
// checked over ten thousand image ids for the properties that justify it: every route is a permutation of
// the edges, the same inputs give the same route (also when the edges are listed in another order), first
// choices spread evenly, and removing an edge changes no route except by deleting that edge, so only the
// images whose first choice was the removed edge move.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "core/routing.h"

namespace edgecache {
namespace {

constexpr ImageId image_sample_count = 10000;

TEST_CASE("modulo routing starts at image id mod N and wraps", "[core][routing]") {
  const std::vector<NodeId> edges = {10, 20, 30, 40};
  CHECK(route(RoutingMode::modulo, edges, 0) == std::vector<NodeId>{10, 20, 30, 40});
  CHECK(route(RoutingMode::modulo, edges, 6) == std::vector<NodeId>{30, 40, 10, 20});
  CHECK(route(RoutingMode::modulo, edges, 7) == std::vector<NodeId>{40, 10, 20, 30});
  // 2^64 - 1 = 3 (mod 4).
  CHECK(route(RoutingMode::modulo, edges, 0xFFFFFFFFFFFFFFFFULL) == std::vector<NodeId>{40, 10, 20, 30});
  // The configured order, not the id order, defines the index.
  CHECK(route(RoutingMode::modulo, {7, 3, 5}, 4) == std::vector<NodeId>{3, 5, 7});
  CHECK(route(RoutingMode::modulo, {9}, 12345) == std::vector<NodeId>{9});
}

TEST_CASE("rendezvous routing gives every edge exactly once, deterministically", "[core][routing]") {
  const std::vector<NodeId> edges = {11, 12, 13, 14, 15};
  std::vector<NodeId> reversed = edges;
  std::reverse(reversed.begin(), reversed.end());
  std::vector<NodeId> sorted_edges = edges;
  for (ImageId image_id = 0; image_id < image_sample_count; ++image_id) {
    const std::vector<NodeId> order = route(RoutingMode::rendezvous, edges, image_id);
    std::vector<NodeId> sorted_order = order;
    std::sort(sorted_order.begin(), sorted_order.end());
    REQUIRE(sorted_order == sorted_edges);
    REQUIRE(route(RoutingMode::rendezvous, edges, image_id) == order);
    REQUIRE(route(RoutingMode::rendezvous, reversed, image_id) == order);
  }
}

TEST_CASE("rendezvous routing spreads first choices evenly", "[core][routing]") {
  const std::vector<NodeId> edges = {1, 2, 3, 4};
  std::map<NodeId, std::size_t> first_choices;
  for (ImageId image_id = 0; image_id < image_sample_count; ++image_id) {
    ++first_choices[route(RoutingMode::rendezvous, edges, image_id)[0]];
  }
  // A fair split is 2500 each; the standard deviation is about 43, so 2300..2700 is over four sigmas.
  for (const NodeId edge : edges) {
    INFO("edge " << edge);
    CHECK(first_choices[edge] > 2300);
    CHECK(first_choices[edge] < 2700);
  }
}

TEST_CASE("rendezvous routing moves only the removed edge's images", "[core][routing]") {
  const std::vector<NodeId> edges = {1, 2, 3, 4, 5};
  for (const NodeId removed : edges) {
    std::vector<NodeId> remaining;
    std::copy_if(edges.begin(), edges.end(), std::back_inserter(remaining),
                 [removed](NodeId edge) { return edge != removed; });
    std::size_t moved = 0;
    for (ImageId image_id = 0; image_id < image_sample_count; ++image_id) {
      std::vector<NodeId> expected = route(RoutingMode::rendezvous, edges, image_id);
      const bool was_first = expected[0] == removed;
      expected.erase(std::find(expected.begin(), expected.end(), removed));
      const std::vector<NodeId> after = route(RoutingMode::rendezvous, remaining, image_id);
      REQUIRE(after == expected);
      moved += was_first ? 1 : 0;
    }
    // The removed edge's share, about a fifth, moves; it is nonzero, so the check above was exercised.
    CHECK(moved > image_sample_count / 10);
    CHECK(moved < image_sample_count * 3 / 10);
  }
}

TEST_CASE("modulo routing, by contrast, moves most images when an edge is removed", "[core][routing]") {
  // This documents why rendezvous exists: with modulo, removing the last edge changes the first choice of
  // most images, not just a fifth of them.
  const std::vector<NodeId> edges = {1, 2, 3, 4, 5};
  const std::vector<NodeId> remaining = {1, 2, 3, 4};
  std::size_t moved = 0;
  for (ImageId image_id = 0; image_id < image_sample_count; ++image_id) {
    moved += route(RoutingMode::modulo, edges, image_id)[0] != route(RoutingMode::modulo, remaining, image_id)[0];
  }
  CHECK(moved > image_sample_count / 2);
}

}  // namespace
}  // namespace edgecache
