#include "net/http_response_head.h"

#include <charconv>

#include <boost/beast/http/status.hpp>

#include "core/assert.h"

namespace edgecache::net {

namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

void append_response_head(std::string& out, const ResponseHead& head) {
  EC_ASSERT(head.version >= 10 && head.version <= 11, "responses are HTTP/1.0 or HTTP/1.1");
  out.append(head.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  char number[24];
  auto end = std::to_chars(number, number + sizeof number, head.status).ptr;
  out.append(number, end).append(" ");
  // The same reason phrases Beast's serializer used.
  out.append(boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(head.status))).append("\r\n");
  append_field(out, "Server", "edgecache");
  if (head.headers != nullptr) {
    for (const auto& [name, value] : *head.headers) append_field(out, name, value);
  }
  if (head.content_length) {
    end = std::to_chars(number, number + sizeof number, *head.content_length).ptr;
    append_field(out, "Content-Length", std::string_view(number, end - number));
  }
  if (head.version == 11 && !head.keep_alive) append_field(out, "Connection", "close");
  if (head.version == 10 && head.keep_alive) append_field(out, "Connection", "keep-alive");
  out.append("\r\n");
}

}  // namespace edgecache::net
