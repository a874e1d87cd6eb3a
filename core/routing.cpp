#include "core/routing.h"

#include <algorithm>

#include "core/assert.h"
#include "core/mix64.h"

namespace edgecache {

namespace {

// Rendezvous weight of `edge` for `image_id`. Mixing the edge id before combining keeps nearby edge ids
// (1, 2, 3, ...) from producing correlated scores across images.
std::uint64_t rendezvous_score(NodeId edge, ImageId image_id) {
  return mix64(image_id ^ mix64(0x243F6A8885A308D3ULL + edge));
}

}  // namespace

std::vector<NodeId> route(RoutingMode mode, const std::vector<NodeId>& edges, ImageId image_id) {
  EC_ASSERT(!edges.empty(), "route needs at least one edge");
  std::vector<NodeId> order;
  order.reserve(edges.size());
  switch (mode) {
    case RoutingMode::modulo: {
      const std::size_t first = static_cast<std::size_t>(image_id % edges.size());
      for (std::size_t step = 0; step < edges.size(); ++step) order.push_back(edges[(first + step) % edges.size()]);
      return order;
    }
    case RoutingMode::rendezvous: {
      std::vector<std::pair<std::uint64_t, NodeId>> scored;
      scored.reserve(edges.size());
      for (const NodeId edge : edges) scored.emplace_back(rendezvous_score(edge, image_id), edge);
      // Highest score first; equal scores (vanishingly rare) fall back to the higher node id, so the order is
      // total and independent of the configured order.
      std::sort(scored.begin(), scored.end(), [](const auto& left, const auto& right) { return left > right; });
      for (const auto& [score, edge] : scored) order.push_back(edge);
      return order;
    }
  }
  EC_ASSERT(false, "unknown routing mode");
  return order;
}

}  // namespace edgecache
