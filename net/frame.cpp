#include "net/frame.h"

#include <algorithm>

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
  frame.header[frame_kind_offset] = static_cast<std::uint8_t>(kind);
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

OutgoingFrame make_auth_hello_frame(const AuthHello& hello) {
  std::vector<std::uint8_t> payload(auth_hello_payload_bytes);
  store_little_endian(payload.data(), hello.dialer, 4);
  store_little_endian(payload.data() + 4, hello.acceptor, 4);
  std::copy(hello.nonce.begin(), hello.nonce.end(), payload.begin() + 8);
  return make_frame(FrameKind::auth_hello, std::move(payload), 0);
}

OutgoingFrame make_auth_challenge_frame(const AuthChallenge& challenge) {
  std::vector<std::uint8_t> payload(auth_challenge_payload_bytes);
  store_little_endian(payload.data(), challenge.acceptor, 4);
  std::copy(challenge.nonce.begin(), challenge.nonce.end(), payload.begin() + 4);
  std::copy(challenge.proof.begin(), challenge.proof.end(), payload.begin() + 4 + auth_nonce_bytes);
  return make_frame(FrameKind::auth_challenge, std::move(payload), 0);
}

OutgoingFrame make_auth_proof_frame(const AuthProof& proof) {
  return make_frame(FrameKind::auth_proof, std::vector<std::uint8_t>(proof.proof.begin(), proof.proof.end()), 0);
}

OutgoingFrame make_keepalive_frame() { return make_frame(FrameKind::keepalive, {}, 0); }

std::variant<FrameHeader, FrameError> parse_frame_header(std::span<const std::uint8_t, frame_header_bytes> bytes) {
  FrameHeader header;
  const std::uint64_t length = load_little_endian(bytes.data(), 4);
  if (bytes[4] != frame_version) {
    return FrameError{"unsupported frame version " + std::to_string(bytes[4])};
  }
  const std::uint8_t kind_byte = bytes[frame_kind_offset];
  if (kind_byte > last_frame_kind) return FrameError{"unknown frame kind " + std::to_string(kind_byte)};
  if (bytes[6] != 0 || bytes[7] != 0) return FrameError{"reserved header bytes are not zero"};
  if (length > max_frame_payload_bytes) {
    return FrameError{"frame payload of " + std::to_string(length) + " bytes exceeds max_frame_payload_bytes"};
  }
  const auto kind = static_cast<FrameKind>(kind_byte);
  if (kind != FrameKind::message && length > max_handshake_payload_bytes) {
    return FrameError{"frame of kind " + std::to_string(kind_byte) + " announces " + std::to_string(length) +
                      " payload bytes; at most max_handshake_payload_bytes are allowed"};
  }
  header.payload_bytes = static_cast<std::uint32_t>(length);
  header.kind = kind;
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
  auto id_at = [&](std::size_t offset) { return static_cast<NodeId>(load_little_endian(payload.data() + offset, 4)); };
  auto wrong_size = [&](const char* what, std::size_t expected) {
    return FrameError{std::string(what) + " payload has " + std::to_string(payload.size()) + " bytes, not " +
                      std::to_string(expected)};
  };
  switch (header.kind) {
    case FrameKind::message: break;
    case FrameKind::hello:
      if (payload.size() != hello_payload_bytes) return wrong_size("hello", hello_payload_bytes);
      return FrameContent{Hello{id_at(0)}};
    case FrameKind::auth_hello: {
      if (payload.size() != auth_hello_payload_bytes) return wrong_size("auth_hello", auth_hello_payload_bytes);
      AuthHello hello{id_at(0), id_at(4), {}};
      std::copy_n(payload.begin() + 8, auth_nonce_bytes, hello.nonce.begin());
      return FrameContent{hello};
    }
    case FrameKind::auth_challenge: {
      if (payload.size() != auth_challenge_payload_bytes) return wrong_size("auth_challenge", auth_challenge_payload_bytes);
      AuthChallenge challenge{id_at(0), {}, {}};
      std::copy_n(payload.begin() + 4, auth_nonce_bytes, challenge.nonce.begin());
      std::copy_n(payload.begin() + 4 + auth_nonce_bytes, auth_mac_bytes, challenge.proof.begin());
      return FrameContent{challenge};
    }
    case FrameKind::auth_proof: {
      if (payload.size() != auth_proof_payload_bytes) return wrong_size("auth_proof", auth_proof_payload_bytes);
      AuthProof proof;
      std::copy_n(payload.begin(), auth_mac_bytes, proof.proof.begin());
      return FrameContent{proof};
    }
    case FrameKind::keepalive:
      if (!payload.empty()) return wrong_size("keepalive", 0);
      return FrameContent{Keepalive{}};
  }
  DecodeResult result = decode(payload);
  if (!result.ok()) {
    return FrameError{"undecodable message at offset " + std::to_string(result.error().offset) + ": " +
                      result.error().reason};
  }
  return FrameContent{std::move(result.message())};
}

}  // namespace edgecache::net
