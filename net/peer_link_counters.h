#pragma once
// What the peer links count, apart from the links themselves so the metrics page can show it without
// including Asio.

#include <cstdint>

namespace edgecache::net {

struct PeerLinkCounters {
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t dropped_peer_down = 0;     // Sent while the link was not connected.
  std::uint64_t dropped_queue_full = 0;    // Sent while the peer's queue was full (the newest is dropped).
  std::uint64_t dropped_unknown_peer = 0;  // Addressed to an id with no configured address.
  std::uint64_t protocol_errors = 0;       // Connections closed for garbage input.
  std::uint64_t inbound_rejected = 0;      // Connections refused at max_inbound_peer_connections.
  std::uint64_t auth_refused = 0;          // Connections that failed the handshake or sent a frame with a bad MAC.
  std::uint64_t unknown_peer_refused = 0;  // Hellos naming this node's own id or an id not configured.
  std::uint64_t duplicate_peer_refused = 0;  // Unauthenticated hellos naming a peer that has a live link.
  std::uint64_t inbound_replaced = 0;      // Links closed because their peer proved itself on a newer one.
  std::uint64_t handshakes_evicted = 0;    // Connections in their handshake closed to make room for a new one.
  std::uint64_t outbound_auth_failed = 0;  // Dialled peers that failed to prove they hold the cluster key.
  std::uint64_t keepalives_sent = 0;
  std::uint64_t keepalives_received = 0;
};

}  // namespace edgecache::net
