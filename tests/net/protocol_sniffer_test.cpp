// The client port's protocol rule (net/protocol_sniffer.h), checked on the first bytes of real requests of
// both protocols, on partial prefixes, and on the edge cases of the rule: an RPC length whose low byte is an
// upper-case letter, and lengths too large to be RPC.

#include <catch2/catch.hpp>

#include "net/protocol_sniffer.h"
#include "net/rpc_protocol.h"

namespace edgecache::net {
namespace {

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

std::vector<std::uint8_t> rpc_request(const std::string& json) {
  std::string framed;
  append_le64(framed, json.size());
  return bytes_of(framed + json);
}

}  // namespace

TEST_CASE("HTTP requests are recognised once eight bytes are in", "[net][sniffer]") {
  for (const std::string request : {"GET /images/1 HTTP/1.1\r\n", "HEAD /images/1 HTTP/1.1\r\n", "POST / HTTP/1.1\r\n",
                                    "OPTIONS * HTTP/1.1\r\n"}) {
    const auto bytes = bytes_of(request);
    CHECK(classify_client_bytes(bytes) == ClientProtocol::http);
    for (std::size_t prefix = 1; prefix < protocol_sniff_bytes; ++prefix) {
      CHECK(classify_client_bytes(std::span(bytes).first(prefix)) == ClientProtocol::undecided);
    }
  }
  CHECK(classify_client_bytes({}) == ClientProtocol::undecided);
}

TEST_CASE("RPC requests are recognised, even when the length's low byte is a letter", "[net][sniffer]") {
  CHECK(classify_client_bytes(rpc_request("{\"function\": \"get_image\", \"args\": [1], \"clock\": 0}")) ==
        ClientProtocol::rpc);
  // A 71-byte request starts with 'G', like GET; its second byte, zero, decides.
  const auto letter_length = rpc_request(std::string(71, ' '));
  REQUIRE(letter_length[0] == 'G');
  CHECK(classify_client_bytes(std::span(letter_length).first(1)) == ClientProtocol::undecided);
  CHECK(classify_client_bytes(std::span(letter_length).first(2)) == ClientProtocol::rpc);
  // 2^63: the first byte is zero.
  std::vector<std::uint8_t> huge(8, 0);
  huge[7] = 0x80;
  CHECK(classify_client_bytes(huge) == ClientProtocol::rpc);
  // Anything not starting with an upper-case letter goes to RPC, which refuses it cleanly.
  CHECK(classify_client_bytes(bytes_of("get / HTTP/1.1")) == ClientProtocol::rpc);
  CHECK(classify_client_bytes(bytes_of("\x16\x03\x01")) == ClientProtocol::rpc);
}

}  // namespace edgecache::net
