#pragma once
// The frames that carry messages over peer links. Pure functions over bytes, no sockets, so they can be
// tested directly and a connection class only moves bytes.
//
// A frame is a 24-byte header followed by a payload:
//   bytes 0-3   u32 payload length, little-endian (at most max_frame_payload_bytes)
//   byte  4     u8 frame version (frame_version; anything else is rejected)
//   byte  5     u8 frame kind (FrameKind; this is the first "reserved" byte of the original layout)
//   bytes 6-7   u16 reserved, must be zero
//   bytes 8-15  u64 checksum_of(payload), little-endian
//   bytes 16-23 u64 the sender's Lamport clock when it sent the frame (version 2), little-endian; 0 in hellos
// A message frame's payload is core's encode(message). A hello frame's payload is the sender's NodeId as a
// u32 little-endian; it is the first frame on every outbound connection, so the receiver knows who speaks.

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

namespace edgecache::net {

constexpr std::size_t frame_header_bytes = 24;
// Version 2 added the Lamport clock, which node traces use to merge per-node traces in causal order.
constexpr std::uint8_t frame_version = 2;
constexpr std::size_t hello_payload_bytes = 4;

enum class FrameKind : std::uint8_t { message = 0, hello = 1 };

struct FrameHeader {
  std::uint32_t payload_bytes = 0;
  FrameKind kind = FrameKind::message;
  std::uint64_t checksum = 0;
  std::uint64_t lamport = 0;
};

// A frame ready to write: the header and the payload, kept apart so an image body is not copied twice.
struct OutgoingFrame {
  std::array<std::uint8_t, frame_header_bytes> header{};
  std::vector<std::uint8_t> payload;

  std::size_t size_bytes() const { return header.size() + payload.size(); }
};

// Returns the frame carrying `message`, stamped with the sender's Lamport clock `lamport`.
// REQUIRES: the message is valid for core's encode().
OutgoingFrame make_message_frame(const Message& message, std::uint64_t lamport = 0);
// Returns the hello frame announcing `sender`.
OutgoingFrame make_hello_frame(NodeId sender);

// Why bytes from a peer were rejected, as a sentence for the log.
struct FrameError {
  std::string reason;
};

// Parses a frame header. Rejects a bad version, an unknown kind, non-zero reserved bits and a payload length
// above max_frame_payload_bytes, before any payload is read or allocated.
std::variant<FrameHeader, FrameError> parse_frame_header(std::span<const std::uint8_t, frame_header_bytes> bytes);

// What a whole frame carried: a hello's sender id, or a decoded message.
struct Hello {
  NodeId sender = 0;
};
using FrameContent = std::variant<Hello, Message>;

// Checks `payload` against `header` (length, checksum) and decodes it. Treats the payload as hostile.
std::variant<FrameContent, FrameError> decode_frame_payload(const FrameHeader& header,
                                                           std::span<const std::uint8_t> payload);

}  // namespace edgecache::net
