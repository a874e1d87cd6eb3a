#pragma once
// The original system's RPC, as pure functions so the parsing and encoding can be tested without sockets.
//
// One TCP connection carries one request: an 8-byte little-endian unsigned length, then that many bytes of
// JSON {"function": NAME, "args": [...], "clock": N}. The reply is an 8-byte little-endian clock (always 0),
// then for get_image an 8-byte length and the image bytes, for get_image_size an 8-byte size, and on any
// error an 8-byte length and the JSON {"error": "..."}. The server closes the connection after replying.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/types.h"

namespace edgecache::net {

constexpr std::size_t rpc_length_prefix_bytes = 8;
// The largest request body accepted. A real request is under a hundred bytes; anything much larger is
// garbage or an attack, and its length is refused before a byte of it is read.
constexpr std::uint64_t max_rpc_request_bytes = 64 * 1024;
constexpr std::int64_t rpc_request_read_timeout_ms = 10000;  // From the connection's first byte to the request's end.
constexpr std::int64_t rpc_write_timeout_ms = 30000;         // The whole reply.

enum class RpcFunction : std::uint8_t { get_image = 0, get_image_size = 1 };

struct RpcCall {
  RpcFunction function = RpcFunction::get_image;
  ImageId image_id = 0;
};
struct RpcParseError {
  std::string message;  // Goes back to the client as {"error": message}.
};
using RpcParseResult = std::variant<RpcCall, RpcParseError>;

// Reads a little-endian u64 from the first 8 bytes. REQUIRES: bytes.size() >= 8.
std::uint64_t read_le64(std::span<const std::uint8_t> bytes);
// Appends `value` as 8 little-endian bytes.
void append_le64(std::string& out, std::uint64_t value);

// Parses a request body. The function must be "get_image" or "get_image_size"; args must hold exactly one
// image id, as a non-negative JSON integer or a string of decimal digits (the original's clients read ids
// from a prompt). "clock" is accepted and ignored.
RpcParseResult parse_rpc_request(std::string_view json_text);

// The reply's leading bytes for get_image: clock 0 and the image length; the image bytes follow.
std::string rpc_image_reply_header(std::uint64_t size_bytes);
// The whole reply for get_image_size.
std::string rpc_size_reply(std::uint64_t size_bytes);
// The whole error reply.
std::string rpc_error_reply(std::string_view message);

}  // namespace edgecache::net
