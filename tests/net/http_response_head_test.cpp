// Tests of net/http_response_head.cpp. Method: the session used to hand every response to Beast's
// serializer; the hand-rendered head must produce the same bytes. Each case builds the response both ways
// (Beast exactly as the session used to, and append_response_head plus the body) and compares the bytes,
// over the shapes the server sends: a 200 image, a 304, a HEAD, an error text, HTTP/1.0 and HTTP/1.1 with
// and without keep-alive.

#include <sstream>

#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include "net/http_response_head.h"
#include "net/http_routes.h"

namespace edgecache::net {

namespace {

namespace http = boost::beast::http;

struct Case {
  const char* name;
  HttpResponse response;
  unsigned version = 11;
  bool keep_alive = true;
  bool head_request = false;
};

// The session's former do_write: the same fields set in the same order, serialized by Beast.
std::string beast_bytes(const Case& c) {
  http::response<http::span_body<const char>> wire;
  wire.version(c.version);
  wire.result(c.response.status);
  wire.set(http::field::server, "edgecache");
  for (const auto& [name, value] : c.response.headers) wire.set(name, value);
  std::span<const char> body = c.response.text;
  if (c.response.image) {
    const auto bytes = c.response.image->bytes();
    body = {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  wire.body() = {body.data(), body.size()};
  const bool bodiless_status = c.response.status == 304 || c.response.status == 204 || c.response.status < 200;
  if (c.head_request) {
    wire.content_length(c.response.head_content_length.value_or(wire.body().size()));
    wire.body() = {};
  } else if (!bodiless_status) {
    wire.content_length(wire.body().size());
  }
  wire.keep_alive(c.keep_alive);
  std::ostringstream out;
  out << wire;
  return out.str();
}

// The session's do_write now: the rendered head, then the body.
std::string rendered_bytes(const Case& c) {
  std::string body = c.response.text;
  if (c.response.image) {
    const auto bytes = c.response.image->bytes();
    body.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  ResponseHead head{.version = c.version, .status = c.response.status, .headers = &c.response.headers,
                    .content_length = std::nullopt, .keep_alive = c.keep_alive};
  const bool bodiless_status = c.response.status == 304 || c.response.status == 204 || c.response.status < 200;
  if (c.head_request) {
    head.content_length = c.response.head_content_length.value_or(body.size());
    body.clear();
  } else if (!bodiless_status) {
    head.content_length = body.size();
  }
  std::string out;
  append_response_head(out, head);
  return out + body;
}

}  // namespace

TEST_CASE("rendered response heads match what Beast's serializer wrote", "[net][http]") {
  const Body image = make_body({0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5});
  HttpRequest get;
  HttpRequest conditional;
  conditional.if_none_match = etag_of(image->checksum());
  HttpResponse method_not_allowed = text_response(405, "only GET and HEAD are supported\n");
  method_not_allowed.headers.emplace_back("Allow", "GET, HEAD");

  const std::vector<Case> cases = {
      {"200 image, HTTP/1.1 keep-alive", image_response(get, image)},
      {"200 image, HTTP/1.1 close", image_response(get, image), 11, false},
      {"200 image, HTTP/1.0 keep-alive", image_response(get, image), 10, true},
      {"200 image, HTTP/1.0 close", image_response(get, image), 10, false},
      {"304 not modified", image_response(conditional, image)},
      {"HEAD of a cached image", image_response(get, image), 11, true, true},
      {"HEAD answered from a size", size_response(262144), 11, true, true},
      {"404 text", text_response(404, "image not found\n")},
      {"405 with Allow, closing", method_not_allowed, 11, false},
      {"431 closing", text_response(431, "request header too large\n"), 11, false},
      {"503 text over HTTP/1.0", status_error_response(Status::unavailable), 10, false},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(rendered_bytes(c) == beast_bytes(c));
  }
}

TEST_CASE("a rendered head is appended after what the buffer already holds", "[net][http]") {
  const HttpResponse::Headers headers = {{"ETag", "\"0000000000000abc\""}};
  std::string out;
  append_response_head(out, {.version = 11, .status = 304, .headers = &headers, .content_length = std::nullopt, .keep_alive = true});
  const std::string first = "HTTP/1.1 304 Not Modified\r\nServer: edgecache\r\nETag: \"0000000000000abc\"\r\n\r\n";
  CHECK(out == first);
  append_response_head(out, {.version = 11, .status = 200, .headers = nullptr, .content_length = 0, .keep_alive = false});
  CHECK(out == first + "HTTP/1.1 200 OK\r\nServer: edgecache\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

}  // namespace edgecache::net
