#include "net/frame.h"

#include "core/codec.h"
#include "core/image_bytes.h"
#include "net/limits.h"

namespace edgecache::net {

namespace {

void store_little_endian(std::uint8_t* out, std::uint64_t value, std::size_t width) {
  for (std::size_t index = 0; index < width; ++index) out[index] = static_cast<std::uint8_t>(value >> (8 * index));
}

std::uint64_t load_little_endian(const std::uint8_t* in, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t index = width; index > 0; --index) value = (value << 8) | in[index - 1];
  return value;
}

OutgoingFrame make_frame(FrameKind kind, std::vector<std::uint8_t> payload, std::uint64_t lamport) {
  OutgoingFrame frame;
  store_little_endian(frame.header.data(), payload.size(), 4);
  frame.header[4] = frame_version;
  frame.header[5] = static_cast<std::uint8_t>(kind);
  store_little_endian(frame.header.data() + 8, checksum_of(payload), 8);
  store_little_endian(frame.header.data() + 16, lamport, 8);
  frame.payload = std::move(payload);
  return frame;
}

}  // namespace

OutgoingFrame make_message_frame(const Message& message, std::uint64_t lamport) {
  return make_frame(FrameKind::message, encode(message), lamport);
}

OutgoingFrame make_hello_frame(NodeId sender) {
  std::vector<std::uint8_t> payload(hello_payload_bytes);
  store_little_endian(payload.data(), sender, hello_payload_bytes);
  return make_frame(FrameKind::hello, std::move(payload), 0);
}

std::variant<FrameHeader, FrameError> parse_frame_header(std::span<const std::uint8_t, frame_header_bytes> bytes) {
  FrameHeader header;
  const std::uint64_t length = load_little_endian(bytes.data(), 4);
  if (bytes[4] != frame_version) {
    return FrameError{"unsupported frame version " + std::to_string(bytes[4])};
  }
  if (bytes[5] > static_cast<std::uint8_t>(FrameKind::hello)) {
    return FrameError{"unknown frame kind " + std::to_string(bytes[5])};
  }
  if (bytes[6] != 0 || bytes[7] != 0) return FrameError{"reserved header bytes are not zero"};
  if (length > max_frame_payload_bytes) {
    return FrameError{"frame payload of " + std::to_string(length) + " bytes exceeds max_frame_payload_bytes"};
  }
  header.payload_bytes = static_cast<std::uint32_t>(length);
  header.kind = static_cast<FrameKind>(bytes[5]);
  header.checksum = load_little_endian(bytes.data() + 8, 8);
  header.lamport = load_little_endian(bytes.data() + 16, 8);
  return header;
}

std::variant<FrameContent, FrameError> decode_frame_payload(const FrameHeader& header,
                                                           std::span<const std::uint8_t> payload) {
  if (payload.size() != header.payload_bytes) {
    return FrameError{"payload has " + std::to_string(payload.size()) + " bytes, header says " +
                      std::to_string(header.payload_bytes)};
  }
  if (checksum_of(payload) != header.checksum) return FrameError{"payload checksum mismatch"};
  if (header.kind == FrameKind::hello) {
    if (payload.size() != hello_payload_bytes) return FrameError{"hello payload is not four bytes"};
    return FrameContent{Hello{static_cast<NodeId>(load_little_endian(payload.data(), hello_payload_bytes))}};
  }
  DecodeResult result = decode(payload);
  if (!result.ok()) {
    return FrameError{"undecodable message at offset " + std::to_string(result.error().offset) + ": " +
                      result.error().reason};
  }
  return FrameContent{std::move(result.message())};
}

}  // namespace edgecache::net
