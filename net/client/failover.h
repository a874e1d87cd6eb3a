#pragma once
// Routes each request over the configured edges as the core does (core/routing.h: image id mod N by
// default, rendezvous hashing as an option) and fails over to the next edge in that order when one is down,
// times out, or cannot get the image. Edges that fail are ejected by the same passive health policy the
// simulated client uses (core/edge_health.h): tried after the others until the ejection runs out, so a
// dead edge costs one failed attempt per ejection, not one per request. The probe that takes an edge back is
// the next request routed to it, tried in its routed place (a refused connection, the usual sign of a dead
// edge here, costs nothing; a hung edge costs that one request its timeout).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility> itself.
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "core/edge_health.h"
#include "core/routing.h"
#include "net/client/image_fetcher.h"
#include "net/config.h"
#include "net/steady_time.h"

namespace edgecache::net::client {

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

// Which edges are ejected, with the clock that times ejections. Shared by every request of one client process
// (single thread). Edge index i is node i + 1 to the policy, as in edge_order.
struct ClientHealth {
  EdgeHealth edges{EdgeHealthPolicy{}};
  SteadyTime clock;
};

// Returns the edge indexes in the order to try for `image_id`: routed order with ejected edges last, unless
// the routed edge is due a probe, in which case this request is the probe and the routed order stands.
std::vector<std::size_t> edge_order(const ClusterView& cluster, ClientHealth& health, ImageId image_id);

// Fetches `image_id` (or its size) trying edges in edge_order until one answers ok or not_found, and tells
// `health` how each edge tried did.
boost::asio::awaitable<RoutedResult> fetch_with_failover(const ClusterView& cluster, ClientHealth& health,
                                                         EdgeConnections& connections, ImageId image_id, bool size_only);

}  // namespace edgecache::net::client
