#pragma once
// Tells the two client protocols on one port apart by a connection's first bytes, so clients of the
// original RPC keep working on the ports where HTTP is served (see docs/protocol.md, "One port, two
// protocols").
//
// The rule: an HTTP/1.1 request starts with a method token in upper-case ASCII ("GET", "HEAD", ...) and its
// first line holds no NUL byte; an original RPC request starts with an 8-byte little-endian length, whose
// high bytes are zero for any length a server would accept. So a connection is HTTP when its first byte is
// an upper-case ASCII letter and none of its first 8 bytes is zero; it is RPC as soon as the first byte is
// anything else or a zero byte appears among the first 8. Until then it is undecided.

#include <cstddef>
#include <cstdint>
#include <span>

namespace edgecache::net {

// How many leading bytes decide the protocol in the worst case.
constexpr std::size_t protocol_sniff_bytes = 8;

enum class ClientProtocol : std::uint8_t { undecided = 0, http = 1, rpc = 2 };

// Classifies a connection from the bytes received so far (all of them, from the first).
ClientProtocol classify_client_bytes(std::span<const std::uint8_t> first_bytes);

}  // namespace edgecache::net
