// Parsing and encoding of the original RPC (net/rpc_protocol.h) without sockets: every accepted form of a
// request, every refused one with its message, and the exact reply bytes.

#include <catch2/catch.hpp>

#include "net/rpc_protocol.h"

namespace edgecache::net {
namespace {

std::string error_of(const RpcParseResult& result) {
  const auto* error = std::get_if<RpcParseError>(&result);
  return error == nullptr ? std::string() : error->message;
}

}  // namespace

TEST_CASE("rpc requests parse into calls", "[net][rpc_protocol]") {
  const auto image = parse_rpc_request(R"({"function": "get_image", "args": [42], "clock": 7})");
  REQUIRE(std::holds_alternative<RpcCall>(image));
  CHECK(std::get<RpcCall>(image).function == RpcFunction::get_image);
  CHECK(std::get<RpcCall>(image).image_id == 42);
  const auto size = parse_rpc_request(R"({"function": "get_image_size", "args": ["18446744073709551615"]})");
  REQUIRE(std::holds_alternative<RpcCall>(size));
  CHECK(std::get<RpcCall>(size).function == RpcFunction::get_image_size);
  CHECK(std::get<RpcCall>(size).image_id == 18446744073709551615ULL);
}

TEST_CASE("bad rpc requests are errors with a reason", "[net][rpc_protocol]") {
  CHECK(error_of(parse_rpc_request("{")).find("JSON") != std::string::npos);
  CHECK(error_of(parse_rpc_request("[1]")).find("object") != std::string::npos);
  CHECK(error_of(parse_rpc_request(R"({"args": [1]})")).find("function") != std::string::npos);
  CHECK(error_of(parse_rpc_request(R"({"function": "put", "args": [1]})")) == "unknown function: put");
  CHECK(error_of(parse_rpc_request(R"({"function": "get_image", "args": 1})")).find("args") != std::string::npos);
  CHECK(error_of(parse_rpc_request(R"({"function": "get_image", "args": [1, 2]})")).find("args") != std::string::npos);
  CHECK(error_of(parse_rpc_request(R"({"function": "get_image", "args": [-1]})")) == "malformed image id");
  CHECK(error_of(parse_rpc_request(R"({"function": "get_image", "args": [1.5]})")) == "malformed image id");
  CHECK(error_of(parse_rpc_request(R"({"function": "get_image", "args": ["1e3"]})")) == "malformed image id");
  CHECK(error_of(parse_rpc_request(R"({"function": "get_image", "args": ["99999999999999999999"]})")) ==
        "malformed image id");
  // A long name cut in the middle of a multi-byte character still encodes to valid JSON.
  const std::string name(63, 'x');
  const std::string message = error_of(parse_rpc_request("{\"function\": \"" + name + "\xc3\xa9\", \"args\": [1]}"));
  CHECK(message.size() == std::string("unknown function: ").size() + 64);
  CHECK(rpc_error_reply(message).find("\xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE("rpc replies have the original's layout", "[net][rpc_protocol]") {
  const std::string size = rpc_size_reply(0x0102);
  CHECK(size == std::string("\0\0\0\0\0\0\0\0\x02\x01\0\0\0\0\0\0", 16));
  const std::string error = rpc_error_reply("nope");
  const std::string json = R"({"error":"nope"})";
  CHECK(error.substr(0, 8) == std::string(8, '\0'));
  CHECK(read_le64(std::span(reinterpret_cast<const std::uint8_t*>(error.data()) + 8, 8)) == json.size());
  CHECK(error.substr(16) == json);
}

}  // namespace edgecache::net
