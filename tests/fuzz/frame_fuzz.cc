// Fuzz target `frame`: the peer-link frame parser (net/frame.h) on a stream of bytes, as an inbound link
// reads them: a 24-byte header, then the payload it announces, then the next header, until the bytes run
// out or a frame is refused (where a link would close the connection).
//
// Method: the first input byte is a mode. In "repair" mode (odd) the harness writes checksum_of(payload)
// into each header before parsing, so mutations of a payload reach the message decoder behind the checksum
// instead of stopping at it; in raw mode (even) the checksum is checked as sent. Every frame accepted must
// be the frame its sender would have built from what was decoded: make_*_frame of the content gives back
// the same header and payload bytes. Only message frames carry a Lamport clock (the other builders stamp
// 0 and a receiver ignores the field), so for the others those eight bytes are not compared.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "core/image_bytes.h"
#include "net/frame.h"

namespace {

using namespace edgecache;
using namespace edgecache::net;

constexpr std::size_t lamport_offset = 16;

// The frame a sender would build for `content`, read back from a frame with header `header`.
OutgoingFrame rebuilt_frame(const FrameContent& content, const FrameHeader& header) {
  if (const auto* message = std::get_if<Message>(&content)) return make_message_frame(*message, header.lamport);
  if (const auto* hello = std::get_if<Hello>(&content)) return make_hello_frame(hello->sender);
  if (const auto* auth_hello = std::get_if<AuthHello>(&content)) return make_auth_hello_frame(*auth_hello);
  if (const auto* challenge = std::get_if<AuthChallenge>(&content)) return make_auth_challenge_frame(*challenge);
  if (const auto* proof = std::get_if<AuthProof>(&content)) return make_auth_proof_frame(*proof);
  EC_ASSERT(std::holds_alternative<Keepalive>(content), "every frame content has a builder");
  return make_keepalive_frame();
}

void check_round_trip(const FrameContent& content, const FrameHeader& header,
                      std::span<const std::uint8_t, frame_header_bytes> header_bytes,
                      std::span<const std::uint8_t> payload) {
  const OutgoingFrame rebuilt = rebuilt_frame(content, header);
  const std::size_t compared = std::holds_alternative<Message>(content) ? frame_header_bytes : lamport_offset;
  EC_ASSERT(std::equal(header_bytes.begin(), header_bytes.begin() + compared, rebuilt.header.begin()),
            "an accepted frame's header is the one its content builds");
  EC_ASSERT(std::ranges::equal(rebuilt.payload, payload), "an accepted frame's payload is the one its content builds");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool repair_checksums = (data[0] & 1U) != 0;
  // A private copy, since repair mode writes checksums into the headers.
  std::vector<std::uint8_t> stream(data + 1, data + size);
  std::size_t offset = 0;
  while (stream.size() - offset >= frame_header_bytes) {
    const std::span<std::uint8_t, frame_header_bytes> header_bytes(stream.data() + offset, frame_header_bytes);
    const auto parsed = parse_frame_header(header_bytes);
    if (const auto* error = std::get_if<FrameError>(&parsed)) {
      EC_ASSERT(!error->reason.empty(), "a refused header says why");
      return 0;
    }
    FrameHeader header = std::get<FrameHeader>(parsed);
    offset += frame_header_bytes;
    // A link reads exactly the announced payload; a stream that ends first is a connection closed mid-frame.
    if (stream.size() - offset < header.payload_bytes) return 0;
    const std::span<const std::uint8_t> payload(stream.data() + offset, header.payload_bytes);
    offset += header.payload_bytes;
    if (repair_checksums) {
      header.checksum = checksum_of(payload);
      for (std::size_t index = 0; index < 8; ++index) header_bytes[8 + index] = static_cast<std::uint8_t>(header.checksum >> (8 * index));
    }
    const auto decoded = decode_frame_payload(header, payload);
    if (const auto* error = std::get_if<FrameError>(&decoded)) {
      EC_ASSERT(!error->reason.empty(), "a refused payload says why");
      return 0;
    }
    check_round_trip(std::get<FrameContent>(decoded), header, header_bytes, payload);
  }
  return 0;
}
