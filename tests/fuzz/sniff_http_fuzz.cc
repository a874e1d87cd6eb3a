// Fuzz target `sniff_http`: what a client port does with a connection's first bytes. The protocol sniffer
// (net/protocol_sniffer.h) picks HTTP or the original RPC, and an HTTP request's target is routed by the
// strict image path parser (net/http_routes.h).
//
// Method: classify every prefix of the input, as if it arrived a byte at a time: the decision must be made
// within protocol_sniff_bytes and never change once made, since the server hands the connection over at
// the first decision. Then take the request target (the text between the first two spaces of a request
// line, or the whole input) and route it: an image id must come only from the one URL that spells it, and
// a target outside /images/ must be left to the other routes. The input also serves as an If-None-Match
// header, which must still match once the image's own ETag is appended to its list.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/assert.h"
#include "core/image_bytes.h"
#include "net/http_routes.h"
#include "net/protocol_sniffer.h"

namespace {

using namespace edgecache;
using namespace edgecache::net;

void check_sniffing(std::span<const std::uint8_t> bytes) {
  ClientProtocol decided = ClientProtocol::undecided;
  for (std::size_t length = 0; length <= bytes.size(); ++length) {
    const ClientProtocol protocol = classify_client_bytes(bytes.first(length));
    if (decided != ClientProtocol::undecided) {
      EC_ASSERT(protocol == decided, "more bytes never change a decided protocol");
    } else if (length >= protocol_sniff_bytes) {
      EC_ASSERT(protocol != ClientProtocol::undecided, "protocol_sniff_bytes bytes always decide");
    }
    decided = protocol;
  }
}

// The request target of "METHOD TARGET VERSION", or the whole text when it is no request line.
std::string_view request_target(std::string_view text) {
  const std::size_t first_space = text.find(' ');
  if (first_space == std::string_view::npos) return text;
  const std::string_view rest = text.substr(first_space + 1);
  return rest.substr(0, rest.find(' '));
}

void check_routing(std::string_view target) {
  const ImageTarget routed = parse_image_target(target);
  const bool under_images = target.starts_with(image_path_prefix);
  if (const auto* id = std::get_if<ImageId>(&routed)) {
    EC_ASSERT(target == std::string(image_path_prefix) + std::to_string(*id), "one image has exactly one URL");
    EC_ASSERT(parse_image_id(target.substr(image_path_prefix.size())) == *id, "the route's id is the id parser's");
  } else if (std::holds_alternative<NotAnImagePath>(routed)) {
    EC_ASSERT(!under_images, "every /images/ target is an image or malformed");
  } else {
    EC_ASSERT(under_images, "only an /images/ target can hold a malformed id");
    EC_ASSERT(!parse_image_id(target.substr(image_path_prefix.size())), "a malformed id is one the id parser refuses");
  }
}

void check_if_none_match(std::string_view header, std::span<const std::uint8_t> bytes) {
  const std::string etag = etag_of(checksum_of(bytes));
  if (if_none_match_matches(header, etag)) {
    EC_ASSERT(if_none_match_matches(std::string(header) + ", \"other\"", etag), "a matching list still matches when it grows");
  }
  EC_ASSERT(if_none_match_matches(std::string(header) + ", " + etag, etag), "a list naming the ETag matches it");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  check_sniffing(bytes);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_routing(request_target(text));
  check_if_none_match(text, bytes);
  return 0;
}
