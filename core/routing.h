#pragma once
// Maps an image to the order in which a client tries the edges.

#include <cstdint>
#include <vector>

#include "core/types.h"

namespace edgecache {

enum class RoutingMode : std::uint8_t {
  modulo = 0,      // The original system's rule: edge index image_id mod N first, then the next ones in turn.
  rendezvous = 1,  // Highest-random-weight hashing: losing an edge moves only that edge's images.
};

// Returns every edge of `edges` exactly once, in the order a client should try them for `image_id`.
// `edges` is the configured list (its order defines the modulo index). REQUIRES: !edges.empty().
std::vector<NodeId> route(RoutingMode mode, const std::vector<NodeId>& edges, ImageId image_id);

}  // namespace edgecache
