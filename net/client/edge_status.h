#pragma once
// Asks one edge for its GET /status document, blocking: for tools that poll a cluster (the status command,
// and `sim real`, which resolves "the leader" of a fault the way an operator would).

#include <optional>

#include <nlohmann/json.hpp>

#include "net/config.h"

namespace edgecache::net::client {

// Returns the edge's /status object, or nothing if it is down, too slow (the client's connect and request
// timeouts) or answers something that is not a JSON object.
std::optional<nlohmann::json> fetch_edge_status(const Address& edge);

}  // namespace edgecache::net::client
