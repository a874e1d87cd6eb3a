#pragma once
// Every limit of the real-network mode, named once with its unit. Data entering a daemon is checked against
// these where it enters: a frame header before its payload is read, an HTTP header before it is parsed.

#include <cstddef>
#include <cstdint>

#include "core/codec.h"
#include "core/types.h"
#include "net/frame.h"
#include "sim/trace/node_names.h"

namespace edgecache::net {

// Peer links (the binary protocol between nodes).
// A frame payload is one encoded message, so the codec's own bound is the frame's bound.
constexpr std::size_t max_frame_payload_bytes = max_message_bytes;
constexpr std::int64_t connect_timeout_ms = 2000;        // Resolve plus TCP connect of one outbound attempt.
constexpr std::int64_t hello_timeout_ms = 2000;          // Either side of a new connection must finish the handshake by then.
constexpr std::int64_t peer_keepalive_interval_ms = 1000; // A dialer with nothing to send sends a keepalive this often.
constexpr std::int64_t peer_idle_timeout_ms = 10000;      // An established inbound link silent this long is closed.
constexpr std::int64_t partial_frame_timeout_ms = 30000; // A frame, once started, must be complete by then.
constexpr std::int64_t peer_write_timeout_ms = 30000;    // One frame write to a peer.
constexpr std::int64_t reconnect_initial_backoff_ms = 50;
constexpr std::int64_t reconnect_max_backoff_ms = 1000;
constexpr std::size_t max_queued_frames_per_peer = 1024;
constexpr std::size_t max_queued_bytes_per_peer = 256ULL * 1024 * 1024;
// Connections still in their handshake; when all are taken, a new one replaces the oldest. Established links
// are not counted here: each peer id holds at most one, a newer authenticated one replacing the older.
constexpr std::size_t max_inbound_peer_connections = 64;
constexpr std::size_t peer_read_chunk_bytes = 64 * 1024;
// What one inbound link may buffer: one whole frame. The buffer grows only as bytes arrive, never from what
// a header announces, and shrinks back after a large frame.
constexpr std::size_t max_peer_link_buffer_bytes = frame_header_bytes + max_frame_payload_bytes + auth_mac_bytes;
// Refused peers are logged once per address; addresses beyond this many are counted but not remembered.
constexpr std::size_t max_remembered_refused_addresses = 4096;

// HTTP front end.
constexpr std::size_t max_http_header_bytes = 8 * 1024;
constexpr std::size_t max_http_buffer_bytes = 16 * 1024;  // Header plus whatever a client pipelines after it.
constexpr std::size_t max_http_connections = 1024;
constexpr std::int64_t accept_error_backoff_ms = 100;  // Pause after a failed accept (EMFILE) before the next.
constexpr std::int64_t http_keep_alive_idle_timeout_ms = 30000;  // Between requests on one connection.
constexpr std::int64_t http_request_read_timeout_ms = 10000;     // From a request's first byte to its end.
constexpr std::int64_t http_write_timeout_ms = 30000;            // One response.
// How much longer than the edge's own origin timeout an HTTP request waits for the edge's answer. The edge
// always answers by then; the margin only guards against a bug leaving a connection hanging forever.
constexpr std::int64_t local_request_margin_ms = 2000;
constexpr std::size_t max_image_id_digits = 20;  // 18446744073709551615 has twenty digits.

// Node ids from first_local_client_id up are synthetic clients standing for local HTTP and RPC requests
// (sim/trace/node_names.h, since traces name them by it); this many of them exist.
using sim::first_local_client_id;
constexpr NodeId local_client_id_count = 1'000'000'000;

}  // namespace edgecache::net
