#pragma once
// The bytes of an HTTP/1.x response's status line and header fields, rendered by hand rather than by Beast's
// serializer. A cache hit is then one gather write of two buffers (these bytes, then the cached body), where
// the serializer walked a chain of nested buffer views and allocated one node per field on every response,
// the largest part of the session's own cost per hit. The output is byte for byte what the serializer wrote
// for the responses this server sends (tests/net/http_response_head_test.cpp compares the two).

#include <cstdint>
#include <optional>
#include <string>

#include "net/http_types.h"

namespace edgecache::net {

struct ResponseHead {
  unsigned version = 11;  // 10 * major + minor, as the request had it: 10 or 11.
  unsigned status = 200;
  const HttpResponse::Headers* headers = nullptr;  // Written in order after "Server"; may be null.
  std::optional<std::uint64_t> content_length;    // Nothing: no Content-Length field (304, for instance).
  bool keep_alive = true;
};

// Appends the status line, "Server: edgecache", `head.headers`, Content-Length and whatever Connection field
// `keep_alive` needs at `version` (HTTP/1.1 says "close" to end; HTTP/1.0 says "keep-alive" to stay), then
// the blank line. REQUIRES: header names and values hold no CR or LF (they are the handlers' own constants).
void append_response_head(std::string& out, const ResponseHead& head);

}  // namespace edgecache::net
