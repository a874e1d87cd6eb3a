#pragma once
// One request to one edge, over HTTP/1.1 or the original RPC, as a C++20 coroutine on Asio with a deadline
// on connecting and on the whole exchange. Every failure is a FetchOutcome value; nothing throws past here.
// Bodies are verified on arrival: over HTTP against the ETag (the checksum of the bytes), over RPC by the
// caller against earlier copies of the same image (the original protocol carries no checksum).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility> itself.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "core/catalog.h"
#include "core/image_bytes.h"
#include "core/types.h"
#include "net/config.h"

namespace edgecache::net::client {

enum class ClientProtocolChoice : std::uint8_t { http = 0, rpc = 1 };

constexpr std::int64_t client_connect_timeout_ms = 1000;  // Resolve plus connect to one edge.
// One whole request and reply. An edge answers within its origin timeout (1 s by default) plus margin.
constexpr std::int64_t client_request_timeout_ms = 5000;
constexpr std::uint64_t max_client_body_bytes = max_image_bytes;  // Larger replies are protocol errors.

enum class FetchOutcome : std::uint8_t {
  ok = 0,
  not_found,          // 404, or the RPC error "not found": definitive, no failover.
  unavailable,        // 503, or the RPC error "unavailable": the edge could not get the image.
  connect_failed,     // Refused, unreachable, or the name did not resolve.
  timeout,            // Connect or exchange deadline passed.
  protocol_error,     // A reply that does not follow the protocol (or an unexpected status).
  checksum_mismatch,  // The body does not match its ETag (HTTP) or an earlier copy (RPC).
};
constexpr std::size_t fetch_outcome_count = 7;
const char* fetch_outcome_name(FetchOutcome outcome);
// Whether the next edge might do better: everything except ok and not_found.
bool worth_failover(FetchOutcome outcome);

struct FetchResult {
  FetchOutcome outcome = FetchOutcome::protocol_error;
  std::string detail;                  // For a failure: what happened, in words.
  Body body;                           // get: the image.
  std::optional<std::uint64_t> size;   // size: the image's size; get: the body's size.
  std::optional<std::uint64_t> checksum;  // HTTP get: the ETag's value.
};

// Connections a worker keeps to each edge for HTTP keep-alive, and resolved endpoints. Not thread-safe: one
// per coroutine that uses it.
class EdgeConnections {
 public:
  EdgeConnections() = default;
  EdgeConnections(const EdgeConnections&) = delete;
  EdgeConnections& operator=(const EdgeConnections&) = delete;

  // Fetches image `image_id` (or only its size when `size_only`) from `edge` over `protocol`.
  boost::asio::awaitable<FetchResult> fetch(const Address& edge, ClientProtocolChoice protocol, ImageId image_id,
                                            bool size_only);

  // GET `target` over HTTP from `edge` (for /status); the body in `detail` when ok.
  boost::asio::awaitable<FetchResult> get_text(const Address& edge, const std::string& target);

 private:
  struct Connection {
    std::unique_ptr<boost::beast::tcp_stream> stream;
    boost::beast::flat_buffer buffer;
  };
  boost::asio::awaitable<std::optional<FetchResult>> connect(const Address& edge, boost::beast::tcp_stream& stream);
  boost::asio::awaitable<FetchResult> http_exchange(const Address& edge, const std::string& target, bool head,
                                                    bool want_image);
  boost::asio::awaitable<FetchResult> rpc_exchange(const Address& edge, ImageId image_id, bool size_only);

  std::map<std::string, Connection> connections_;
};

}  // namespace edgecache::net::client
