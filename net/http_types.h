#pragma once
// HTTP requests and responses as plain values, so routing and response building can be tested without
// sockets; the Beast session (net/http_server.cpp) translates to and from the wire.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/image_bytes.h"

namespace edgecache::net {

class BodyFile;  // net/body_files.h

enum class HttpMethod : std::uint8_t { get, head, other };

struct HttpRequest {
  HttpMethod method = HttpMethod::get;
  std::string target;         // As received, e.g. "/images/42".
  std::string if_none_match;  // Empty if absent.
  // Whether the caller can send a body from a file (HttpResponse::image_file). The HTTP session can; the
  // original RPC copies the bytes it is given, so a handler should not open a file for it.
  bool accepts_file_body = false;
};

struct HttpResponse {
  using Headers = std::vector<std::pair<std::string, std::string>>;
  unsigned status = 200;
  Headers headers;  // Sent in this order; the session adds Server, Content-Length and Connection.
  Body image;        // The body when set (shared, not copied) ...
  std::string text;  // ... otherwise this text.
  // When set, a file holding exactly the bytes of `image`, which the session sends with sendfile(2) instead
  // of copying them from memory. Held until the response is written, so the descriptor stays open that long.
  std::shared_ptr<const BodyFile> image_file;
  // For a HEAD response: the Content-Length a GET would have had. Nothing means "the body's size".
  std::optional<std::uint64_t> head_content_length;
};

// Produces the response to one request, now or later; `respond` must be called exactly once, on the
// io_context thread.
class HttpHandler {
 public:
  using Respond = std::function<void(HttpResponse response)>;
  virtual ~HttpHandler() = default;
  virtual void handle(const HttpRequest& request, Respond respond) = 0;
};

}  // namespace edgecache::net
