#pragma once
// A client for the original system's RPC, written from the original protocol as docs/protocol.md ("The RPC")
// describes it (one connection per request; an 8-byte little-endian length, then JSON; a reply of a clock,
// then a size and the bytes, or a length and an error object) rather than from net/rpc_protocol.h, so that
// a misreading of the protocol in the server is not mirrored here. Blocking POSIX sockets, loopback only, a
// deadline on every call.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace edgecache::net::testing {

struct RpcReply {
  bool complete = false;  // The server replied in full and closed the connection.
  std::uint64_t clock = 0;
  std::optional<std::string> image;   // get_image succeeded.
  std::optional<std::uint64_t> size;  // get_image_size succeeded.
  std::optional<std::string> error;   // The "error" field of an error reply.
  std::string raw;                    // Everything received.
};

// Frames `json` with its 8-byte little-endian length.
std::string rpc_frame(const std::string& json);

// Sends a framed request for `function` with `args` (a JSON array text) and decodes the reply as the
// original client would: a clock, then for get_image size+bytes, for get_image_size a size, and for an error
// (recognised because what follows the length parses as {"error": ...}) length+JSON.
RpcReply rpc_call(std::uint16_t port, const std::string& function, const std::string& args,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// Sends `bytes` as they are and decodes the reply as an error reply.
RpcReply rpc_raw(std::uint16_t port, const std::string& bytes,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace edgecache::net::testing
