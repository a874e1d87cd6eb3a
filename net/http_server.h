#pragma once
// The client port: HTTP/1.1 and, told apart by a connection's first bytes (net/protocol_sniffer.h), the
// original system's RPC (net/rpc_session.h). HTTP/1.1 for clients on Beast: one session class per connection with keep-alive, hard limits (header
// size, no request bodies, connection count) and a deadline on every read and write, so a slow or idle
// client cannot hold resources. The session only moves bytes; an HttpHandler decides every response.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "net/config.h"
#include "net/http_types.h"
#include "net/log.h"

namespace edgecache::net {

struct HttpServerCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // Closed at once at max_http_connections.
  std::uint64_t connections_evicted_silent = 0;  // Never-speaking connections closed to make room for new ones.
  std::uint64_t requests = 0;
  std::uint64_t http_connections = 0;  // Connections the sniffer handed to HTTP ...
  std::uint64_t rpc_connections = 0;   // ... and to the original RPC.
};

class HttpServer {
 public:
  // `context`, `handler` and `logger` must outlive the server and its sessions' handlers.
  HttpServer(boost::asio::io_context& context, HttpHandler& handler, Logger& logger);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts accepting. Returns a sentence saying why it failed, or nothing on success.
  std::optional<std::string> listen(const Address& address);

  // Stops accepting; open sessions end with their connections.
  void stop();

  const HttpServerCounters& counters() const;

 private:
  class Listener;
  std::shared_ptr<Listener> listener_;
  boost::asio::io_context& context_;
  HttpHandler& handler_;
  Logger& logger_;
};

}  // namespace edgecache::net
