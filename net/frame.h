#pragma once
// The frames that carry messages over peer links. Pure functions over bytes, no sockets, so they can be
// tested directly and a connection class only moves bytes.
//
// A frame is a 24-byte header followed by a payload, and on an authenticated link by a 32-byte MAC:
//   bytes 0-3   u32 payload length, little-endian (at most max_frame_payload_bytes)
//   byte  4     u8 frame version (frame_version; anything else is rejected)
//   byte  5     u8 frame kind (FrameKind)
//   bytes 6-7   u16 reserved, must be zero
//   bytes 8-15  u64 checksum_of(payload), little-endian
//   bytes 16-23 u64 the sender's Lamport clock when it sent the frame, little-endian; 0 in handshake frames
// A message frame's payload is core's encode(message). The handshake frames come first on every connection
// (net/peer_auth.h): with a cluster key, auth_hello, auth_challenge and auth_proof; without one
// (--insecure-peers), one hello carrying the sender's NodeId. After the handshake the dialer sends message
// and keepalive frames, each followed by its MAC (net/peer_auth.h FrameMacs) when the link is authenticated.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/messages.h"
#include "core/types.h"
#include "net/peer_auth.h"

namespace edgecache::net {

constexpr std::size_t frame_header_bytes = 24;
constexpr std::size_t frame_kind_offset = 5;
// Version 3 added authentication and keepalives; peers of other versions are refused at their first frame.
constexpr std::uint8_t frame_version = 3;
constexpr std::size_t hello_payload_bytes = 4;
constexpr std::size_t auth_hello_payload_bytes = 4 + 4 + auth_nonce_bytes;
constexpr std::size_t auth_challenge_payload_bytes = 4 + auth_nonce_bytes + auth_mac_bytes;
constexpr std::size_t auth_proof_payload_bytes = auth_mac_bytes;
// Every handshake frame is this small, so a connection that has not proved itself never makes a daemon
// buffer more than this.
constexpr std::size_t max_handshake_payload_bytes = auth_challenge_payload_bytes;

enum class FrameKind : std::uint8_t { message = 0, hello = 1, auth_hello = 2, auth_challenge = 3, auth_proof = 4, keepalive = 5 };
constexpr std::uint8_t last_frame_kind = static_cast<std::uint8_t>(FrameKind::keepalive);

struct FrameHeader {
  std::uint32_t payload_bytes = 0;
  FrameKind kind = FrameKind::message;
  std::uint64_t checksum = 0;
  std::uint64_t lamport = 0;
};

// A frame ready to write: the header, the payload and the MAC, kept apart so an image body is not copied
// twice. The link that writes the frame signs it (FrameMacs), since the MAC depends on the frame's place in
// that link's sequence.
struct OutgoingFrame {
  std::array<std::uint8_t, frame_header_bytes> header{};
  std::vector<std::uint8_t> payload;
  std::optional<AuthMac> mac;

  std::size_t size_bytes() const { return header.size() + payload.size() + (mac ? mac->size() : 0); }
  FrameKind kind() const { return static_cast<FrameKind>(header[frame_kind_offset]); }
};

// Returns the frame carrying `message`, stamped with the sender's Lamport clock `lamport`.
// REQUIRES: the message is valid for core's encode().
OutgoingFrame make_message_frame(const Message& message, std::uint64_t lamport = 0);
// Returns the hello frame announcing `sender`, for links without a cluster key.
OutgoingFrame make_hello_frame(NodeId sender);

// The handshake of authenticated links (net/peer_auth.h), one frame per step.
struct AuthHello {
  NodeId dialer = 0;
  NodeId acceptor = 0;  // Whom the dialer meant to reach: a hello forwarded to another node is refused.
  AuthNonce nonce{};
};
struct AuthChallenge {
  NodeId acceptor = 0;
  AuthNonce nonce{};
  AuthMac proof{};
};
struct AuthProof {
  AuthMac proof{};
};
// Sent by the dialer when it has had nothing else to send for peer_keepalive_interval_ms, so the acceptor
// can tell an idle peer from a dead one.
struct Keepalive {};

OutgoingFrame make_auth_hello_frame(const AuthHello& hello);
OutgoingFrame make_auth_challenge_frame(const AuthChallenge& challenge);
OutgoingFrame make_auth_proof_frame(const AuthProof& proof);
OutgoingFrame make_keepalive_frame();

// Why bytes from a peer were rejected, as a sentence for the log.
struct FrameError {
  std::string reason;
};

// Parses a frame header. Rejects a bad version, an unknown kind, non-zero reserved bits and a payload length
// above max_frame_payload_bytes (above max_handshake_payload_bytes for handshake kinds), before any payload
// is read or allocated.
std::variant<FrameHeader, FrameError> parse_frame_header(std::span<const std::uint8_t, frame_header_bytes> bytes);

// What a whole frame carried: a handshake step, a keepalive, or a decoded message.
struct Hello {
  NodeId sender = 0;
};
using FrameContent = std::variant<Hello, AuthHello, AuthChallenge, AuthProof, Keepalive, Message>;

// Checks `payload` against `header` (length, checksum) and decodes it. Treats the payload as hostile.
std::variant<FrameContent, FrameError> decode_frame_payload(const FrameHeader& header,
                                                           std::span<const std::uint8_t> payload);

}  // namespace edgecache::net
