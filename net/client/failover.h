#pragma once
// Routes each request over the configured edges as the core does (core/routing.h: image id mod N by
// default, rendezvous hashing as an option) and fails over to the next edge in that order when one is down,
// times out, or cannot get the image. An edge that just failed is tried after the others for a short while,
// so a dead edge costs one failed attempt, not one per request.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility> itself.
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "core/routing.h"
#include "net/client/image_fetcher.h"
#include "net/config.h"

namespace edgecache::net::client {

// How long an edge that failed is tried last rather than in its routed place.
constexpr std::int64_t suspect_edge_duration_ms = 1000;

struct ClusterView {
  std::vector<Address> edges;  // The order defines each edge's index for modulo routing.
  RoutingMode routing = RoutingMode::modulo;
  ClientProtocolChoice protocol = ClientProtocolChoice::http;
};

struct RoutedResult {
  FetchResult result;                // The last attempt's result.
  std::optional<std::size_t> edge;   // Index of the edge that gave `result`.
  std::size_t attempts = 0;
  std::vector<std::string> failures;  // What went wrong on each edge tried before.
};

// Remembers which edges failed recently. Shared by every request of one client process (single thread).
class EdgeHealth {
 public:
  explicit EdgeHealth(std::size_t edge_count) : suspect_until_(edge_count) {}
  void failed(std::size_t edge);
  void succeeded(std::size_t edge);
  bool suspect(std::size_t edge) const;

 private:
  std::vector<std::chrono::steady_clock::time_point> suspect_until_;
};

// Returns the edge indexes in the order to try for `image_id`: routed order, recently failed edges last.
std::vector<std::size_t> edge_order(const ClusterView& cluster, const EdgeHealth& health, ImageId image_id);

// Fetches `image_id` (or its size) trying edges in edge_order until one answers ok or not_found.
boost::asio::awaitable<RoutedResult> fetch_with_failover(const ClusterView& cluster, EdgeHealth& health,
                                                         EdgeConnections& connections, ImageId image_id, bool size_only);

}  // namespace edgecache::net::client
