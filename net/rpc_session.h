#pragma once
// Serves the original system's RPC (net/rpc_protocol.h) on a connection the client port's sniffer
// (net/protocol_sniffer.h) recognised as RPC. One request per connection: read the length and the JSON
// within rpc_request_read_timeout_ms, answer, close. The answer comes from the same HttpHandler as HTTP's
// GET and HEAD /images/{id}, so both protocols give the same image, the same size and the same errors, and
// an edge's RPC requests go through the edge node like its HTTP requests do.

#include <cstdint>
#include <memory>
#include <span>

#include <boost/asio/ip/tcp.hpp>

#include "net/http_types.h"

namespace edgecache::net {

// Starts serving `socket`. `initial_bytes` are the bytes the sniffer already read from it. `handler` must
// outlive the session; `connection_slot` is held until the connection closes (it counts open connections).
void start_rpc_session(boost::asio::ip::tcp::socket socket, std::span<const std::uint8_t> initial_bytes,
                       HttpHandler& handler, std::shared_ptr<void> connection_slot);

}  // namespace edgecache::net
