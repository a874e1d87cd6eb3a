// Tests of the peer-link frame format (net/frame.cpp). Method: build frames with the production encoder,
// then feed the parser both those and hand-broken variants (bad version, reserved bits, oversized length,
// flipped payload byte, undecodable payload) and check each is a value-level FrameError, never a crash.

#include <catch2/catch.hpp>

#include "core/image_bytes.h"
#include "net/frame.h"
#include "net/limits.h"

namespace edgecache::net {
namespace {

std::span<const std::uint8_t, frame_header_bytes> header_of(const OutgoingFrame& frame) {
  return std::span<const std::uint8_t, frame_header_bytes>(frame.header.data(), frame_header_bytes);
}

std::variant<FrameContent, FrameError> round_trip(const OutgoingFrame& frame) {
  auto header = parse_frame_header(header_of(frame));
  REQUIRE(std::holds_alternative<FrameHeader>(header));
  return decode_frame_payload(std::get<FrameHeader>(header), frame.payload);
}

}  // namespace

TEST_CASE("a message frame round-trips, image body included", "[net][frame]") {
  const Body body = make_body({1, 2, 3, 4, 5});
  const OutgoingFrame frame = make_message_frame(ImageReply{7, 42, Status::ok, body->checksum(), body});
  CHECK(frame.header[4] == frame_version);
  const auto content = round_trip(frame);
  REQUIRE(std::holds_alternative<FrameContent>(content));
  const auto& message = std::get<Message>(std::get<FrameContent>(content));
  const auto& reply = std::get<ImageReply>(message);
  CHECK(reply.request_id == 7);
  CHECK(reply.image_id == 42);
  REQUIRE(reply.body);
  CHECK(reply.body->checksum() == body->checksum());
}

TEST_CASE("a hello frame carries the sender id", "[net][frame]") {
  const auto content = round_trip(make_hello_frame(123456));
  REQUIRE(std::holds_alternative<FrameContent>(content));
  CHECK(std::get<Hello>(std::get<FrameContent>(content)).sender == 123456);
}

TEST_CASE("the handshake frames and the keepalive round-trip", "[net][frame]") {
  AuthHello hello{3, 100, {}};
  hello.nonce.fill(0xA5);
  const auto hello_content = round_trip(make_auth_hello_frame(hello));
  REQUIRE(std::holds_alternative<FrameContent>(hello_content));
  const auto& parsed_hello = std::get<AuthHello>(std::get<FrameContent>(hello_content));
  CHECK(parsed_hello.dialer == 3);
  CHECK(parsed_hello.acceptor == 100);
  CHECK(parsed_hello.nonce == hello.nonce);

  AuthChallenge challenge{100, {}, {}};
  challenge.nonce.fill(0x11);
  challenge.proof.fill(0x22);
  const auto challenge_content = round_trip(make_auth_challenge_frame(challenge));
  REQUIRE(std::holds_alternative<FrameContent>(challenge_content));
  const auto& parsed_challenge = std::get<AuthChallenge>(std::get<FrameContent>(challenge_content));
  CHECK(parsed_challenge.acceptor == 100);
  CHECK(parsed_challenge.nonce == challenge.nonce);
  CHECK(parsed_challenge.proof == challenge.proof);

  AuthProof proof;
  proof.proof.fill(0x33);
  const auto proof_content = round_trip(make_auth_proof_frame(proof));
  REQUIRE(std::holds_alternative<FrameContent>(proof_content));
  CHECK(std::get<AuthProof>(std::get<FrameContent>(proof_content)).proof == proof.proof);

  const auto keepalive = round_trip(make_keepalive_frame());
  REQUIRE(std::holds_alternative<FrameContent>(keepalive));
  CHECK(std::holds_alternative<Keepalive>(std::get<FrameContent>(keepalive)));
}

TEST_CASE("a handshake frame announcing more than max_handshake_payload_bytes is refused at its header", "[net][frame]") {
  for (FrameKind kind : {FrameKind::hello, FrameKind::auth_hello, FrameKind::auth_challenge, FrameKind::auth_proof,
                         FrameKind::keepalive}) {
    OutgoingFrame frame = make_keepalive_frame();
    frame.header[frame_kind_offset] = static_cast<std::uint8_t>(kind);
    frame.header[0] = static_cast<std::uint8_t>(max_handshake_payload_bytes + 1);
    CHECK(std::holds_alternative<FrameError>(parse_frame_header(header_of(frame))));
    frame.header[0] = static_cast<std::uint8_t>(max_handshake_payload_bytes);
    CHECK(std::holds_alternative<FrameHeader>(parse_frame_header(header_of(frame))));
  }
}

TEST_CASE("bad frame headers are rejected before any payload is read", "[net][frame]") {
  OutgoingFrame frame = make_message_frame(Heartbeat{3});
  SECTION("unknown version") { frame.header[4] = 9; }
  SECTION("unknown kind") { frame.header[frame_kind_offset] = 7; }
  SECTION("reserved bits set") { frame.header[7] = 1; }
  SECTION("length above max_frame_payload_bytes") {
    const std::uint32_t too_long = static_cast<std::uint32_t>(max_frame_payload_bytes + 1);
    for (int index = 0; index < 4; ++index) frame.header[static_cast<std::size_t>(index)] = static_cast<std::uint8_t>(too_long >> (8 * index));
  }
  CHECK(std::holds_alternative<FrameError>(parse_frame_header(header_of(frame))));
}

TEST_CASE("a corrupted or undecodable payload is an error value", "[net][frame]") {
  SECTION("flipped byte fails the checksum") {
    OutgoingFrame frame = make_message_frame(Election{5});
    frame.payload.back() ^= 0x01;
    CHECK(std::holds_alternative<FrameError>(round_trip(frame)));
  }
  SECTION("garbage with a correct checksum fails decoding") {
    OutgoingFrame frame = make_message_frame(Election{5});
    frame.payload = {0xDE, 0xAD, 0xBE, 0xEF};
    const std::uint64_t checksum = checksum_of(frame.payload);
    frame.header[0] = 4;
    for (int index = 0; index < 8; ++index) frame.header[8 + static_cast<std::size_t>(index)] = static_cast<std::uint8_t>(checksum >> (8 * index));
    const auto content = round_trip(frame);
    REQUIRE(std::holds_alternative<FrameError>(content));
    CHECK_THAT(std::get<FrameError>(content).reason, Catch::Contains("undecodable"));
  }
  SECTION("hello with the wrong payload size") {
    OutgoingFrame frame = make_hello_frame(1);
    frame.payload.push_back(0);
    CHECK(std::holds_alternative<FrameError>(decode_frame_payload(FrameHeader{5, FrameKind::hello, checksum_of(frame.payload)}, frame.payload)));
  }
}

}  // namespace edgecache::net
