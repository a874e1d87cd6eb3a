// Tests for the binary message codec. Method: every message kind is round-tripped (with empty, ordinary and
// large bodies, and Holding lists up to the limit) and compared field by field; one message is checked
// byte for byte against the documented layout; encoded_size() is compared with the real encoding. Then the
// decoder is attacked: rapidcheck feeds it random bytes, every truncation and many single-byte mutations of
// valid encodings, and requires that it never crashes, that truncations always fail, and that whatever it
// accepts re-encodes to exactly the input (the encoding is canonical). Finally each named error is provoked
// with a hand-built input and its offset and reason are checked.

#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <string>

#include "core/codec.h"

namespace edgecache {
namespace {

std::vector<std::uint8_t> patterned_bytes(std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t index = 0; index < size; ++index) bytes[index] = static_cast<std::uint8_t>(index * 31 + 7);
  return bytes;
}

bool same_body(const Body& left, const Body& right) {
  if (!left || !right) return left == right;
  return std::ranges::equal(left->bytes(), right->bytes()) && left->checksum() == right->checksum();
}

// Message has no operator== (bodies are pointers), so equality is spelled out once here.
bool same_message(const Message& left, const Message& right) {
  if (left.index() != right.index()) return false;
  return std::visit(
      [&right](const auto& a) -> bool {
        using T = std::decay_t<decltype(a)>;
        const T& b = std::get<T>(right);
        if constexpr (std::is_same_v<T, GetImage>) {
          return a.request_id == b.request_id && a.image_id == b.image_id && a.cache_only == b.cache_only;
        } else if constexpr (std::is_same_v<T, ImageReply>) {
          return a.request_id == b.request_id && a.image_id == b.image_id && a.status == b.status &&
                 a.checksum == b.checksum && same_body(a.body, b.body);
        } else if constexpr (std::is_same_v<T, GetSize>) {
          return a.request_id == b.request_id && a.image_id == b.image_id;
        } else if constexpr (std::is_same_v<T, SizeReply>) {
          return a.request_id == b.request_id && a.image_id == b.image_id && a.status == b.status &&
                 a.size_bytes == b.size_bytes;
        } else if constexpr (std::is_same_v<T, Holding>) {
          return a.epoch == b.epoch && a.complete == b.complete && a.from_origin == b.from_origin &&
                 a.image_ids == b.image_ids && a.free_bytes == b.free_bytes;
        } else if constexpr (std::is_same_v<T, PullOrder>) {
          return a.epoch == b.epoch && a.image_id == b.image_id && a.source == b.source;
        } else {
          return a.epoch == b.epoch;
        }
      },
      left);
}

// One example of every kind with no field left at its default, so a field the codec drops shows up.
std::vector<Message> one_of_each_kind() {
  const Body body = make_body(patterned_bytes(100));
  return {
      GetImage{0x1122334455667788ULL, 42, true},
      ImageReply{7, 42, Status::ok, body->checksum(), body},
      GetSize{8, 0xFFFFFFFFFFFFFFFFULL},
      SizeReply{9, 43, Status::ok, 123456789},
      Election{3},
      Answer{4},
      Coordinator{5},
      Heartbeat{6},
      HeartbeatAck{7},
      InventoryRequest{0x8000000000000000ULL},
      Holding{9, true, true, {1, 2, 0xFFFFFFFFFFFFFFFFULL}, 12345},
      PullOrder{10, 99, 0xFFFFFFFFU},
  };
}

Message round_trip(const Message& message) {
  const std::vector<std::uint8_t> bytes = encode(message);
  REQUIRE(bytes.size() == encoded_size(message));
  DecodeResult result = decode(bytes);
  INFO((result.ok() ? std::string("ok") : result.error().reason));
  REQUIRE(result.ok());
  return result.message();
}

// Appends `value` little-endian in `width` bytes, for building inputs by hand.
void put(std::vector<std::uint8_t>& out, std::uint64_t value, std::size_t width) {
  for (std::size_t index = 0; index < width; ++index) out.push_back(static_cast<std::uint8_t>(value >> (8 * index)));
}

std::vector<std::uint8_t> header(MessageKind kind) { return {codec_version, static_cast<std::uint8_t>(kind)}; }

// Draws an arbitrary valid message inside a rapidcheck property.
Message draw_message() {
  const auto kind = *rc::gen::inRange<int>(0, static_cast<int>(message_kind_count));
  const auto u64 = [] { return *rc::gen::arbitrary<std::uint64_t>(); };
  const auto status = [] { return static_cast<Status>(*rc::gen::inRange<int>(0, 3)); };
  switch (static_cast<MessageKind>(kind)) {
    case MessageKind::get_image:
      return GetImage{u64(), u64(), *rc::gen::arbitrary<bool>()};
    case MessageKind::image_reply: {
      ImageReply reply{u64(), u64(), status(), u64(), nullptr};
      if (reply.status == Status::ok) {
        reply.body = make_body(*rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>()));
      }
      return reply;
    }
    case MessageKind::get_size:
      return GetSize{u64(), u64()};
    case MessageKind::size_reply:
      return SizeReply{u64(), u64(), status(), u64()};
    case MessageKind::election:
      return Election{u64()};
    case MessageKind::answer:
      return Answer{u64()};
    case MessageKind::coordinator:
      return Coordinator{u64()};
    case MessageKind::heartbeat:
      return Heartbeat{u64()};
    case MessageKind::heartbeat_ack:
      return HeartbeatAck{u64()};
    case MessageKind::inventory_request:
      return InventoryRequest{u64()};
    case MessageKind::holding:
      return Holding{u64(), *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>(),
                     *rc::gen::container<std::vector<ImageId>>(rc::gen::arbitrary<ImageId>()), u64()};
    case MessageKind::pull_order:
      return PullOrder{u64(), u64(), *rc::gen::arbitrary<NodeId>()};
  }
  return Election{0};
}

// A decoder may accept or refuse any input, but what it accepts must be exactly what encode() would write,
// and what it refuses must come with a reason and an offset inside the input.
bool decode_is_safe(std::span<const std::uint8_t> input) {
  const DecodeResult result = decode(input);
  if (result.ok()) return std::ranges::equal(encode(result.message()), input);
  return !result.error().reason.empty() && result.error().offset <= input.size();
}

TEST_CASE("codec round-trips one message of every kind", "[core][codec]") {
  const std::vector<Message> messages = one_of_each_kind();
  REQUIRE(messages.size() == message_kind_count);
  for (std::size_t index = 0; index < messages.size(); ++index) {
    INFO("kind " << message_kind_name(kind_of(messages[index])));
    CHECK(static_cast<std::size_t>(kind_of(messages[index])) == index);
    CHECK(same_message(round_trip(messages[index]), messages[index]));
  }
}

TEST_CASE("codec lays out a GetImage exactly as documented", "[core][codec]") {
  const std::vector<std::uint8_t> bytes = encode(GetImage{0x0102030405060708ULL, 0x1112131415161718ULL, true});
  const std::vector<std::uint8_t> expected = {1,    0,    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
                                              0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 1};
  CHECK(bytes == expected);
  const std::vector<std::uint8_t> pull = encode(PullOrder{1, 2, 0x0A0B0C0DU});
  CHECK(pull.size() == 2 + 8 + 8 + 4);
  CHECK(std::vector<std::uint8_t>(pull.end() - 4, pull.end()) == std::vector<std::uint8_t>{0x0D, 0x0C, 0x0B, 0x0A});
}

TEST_CASE("codec round-trips image replies with empty, large and absent bodies", "[core][codec]") {
  SECTION("an empty image is an ok reply with a zero-length body") {
    const Body empty = make_body({});
    const ImageReply reply{1, 2, Status::ok, empty->checksum(), empty};
    const Message decoded = round_trip(reply);
    const auto& decoded_reply = std::get<ImageReply>(decoded);
    REQUIRE(decoded_reply.body != nullptr);
    CHECK(decoded_reply.body->size() == 0);
    CHECK(encode(reply).size() == 2 + 8 + 8 + 1 + 8 + 8);
  }
  SECTION("a 4 MiB body survives intact") {
    const Body large = make_body(patterned_bytes(4 * 1024 * 1024 + 3));
    const ImageReply reply{1, 2, Status::ok, large->checksum(), large};
    CHECK(same_message(round_trip(reply), reply));
    CHECK(encoded_size(reply) == 2 + 8 + 8 + 1 + 8 + 8 + large->size());
  }
  SECTION("a failed reply carries no body at all") {
    for (const Status status : {Status::not_found, Status::unavailable}) {
      const ImageReply reply{1, 2, status, 0, nullptr};
      const Message decoded = round_trip(reply);
      CHECK(std::get<ImageReply>(decoded).body == nullptr);
      CHECK(std::get<ImageReply>(decoded).status == status);
      CHECK(encode(reply).size() == 2 + 8 + 8 + 1 + 8);
    }
  }
  SECTION("the claimed checksum is kept, not verified, and the body's own checksum reflects its bytes") {
    const Body body = make_body(patterned_bytes(64));
    const ImageReply reply{1, 2, Status::ok, body->checksum() ^ 1, body};
    const auto decoded = std::get<ImageReply>(round_trip(reply));
    CHECK(decoded.checksum == (body->checksum() ^ 1));
    CHECK(decoded.body->checksum() == body->checksum());
  }
}

TEST_CASE("codec round-trips Holding lists from empty to the limit", "[core][codec]") {
  for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, max_holding_images}) {
    Holding holding{77, false, true, {}};
    for (std::size_t index = 0; index < count; ++index) holding.image_ids.push_back(index * 0x9E3779B97F4A7C15ULL);
    INFO("count " << count);
    CHECK(encoded_size(holding) == 2 + 8 + 1 + 1 + 4 + 8 * count + 8);
    CHECK(same_message(round_trip(holding), holding));
  }
}

TEST_CASE("codec property: valid messages round-trip and encoded_size is exact", "[core][codec]") {
  rc::prop("round trip", [] {
    const Message message = draw_message();
    const std::vector<std::uint8_t> bytes = encode(message);
    RC_ASSERT(bytes.size() == encoded_size(message));
    const DecodeResult result = decode(bytes);
    RC_ASSERT(result.ok());
    RC_ASSERT(same_message(result.message(), message));
  });
}

TEST_CASE("codec property: hostile input never crashes the decoder", "[core][codec]") {
  rc::prop("random bytes decode to a message or an error", [] {
    auto bytes = *rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>());
    // Half the inputs get a valid header so the field decoders, not just the header check, see garbage.
    if (*rc::gen::arbitrary<bool>() && bytes.size() >= 2) {
      bytes[0] = codec_version;
      bytes[1] = static_cast<std::uint8_t>(bytes[1] % message_kind_count);
    }
    RC_ASSERT(decode_is_safe(bytes));
  });

  rc::prop("every truncation of a valid encoding is an error", [] {
    const std::vector<std::uint8_t> bytes = encode(draw_message());
    for (std::size_t length = 0; length < bytes.size(); ++length) {
      const DecodeResult result = decode(std::span(bytes).first(length));
      RC_ASSERT(!result.ok());
      RC_ASSERT(result.error().offset <= length);
    }
  });

  rc::prop("single-byte mutations decode safely", [] {
    const std::vector<std::uint8_t> bytes = encode(draw_message());
    const auto position = *rc::gen::inRange<std::size_t>(0, bytes.size());
    const auto value = *rc::gen::arbitrary<std::uint8_t>();
    std::vector<std::uint8_t> mutated = bytes;
    mutated[position] = value;
    RC_ASSERT(decode_is_safe(mutated));
  });

  rc::prop("an appended byte is always an error", [] {
    std::vector<std::uint8_t> bytes = encode(draw_message());
    bytes.push_back(*rc::gen::arbitrary<std::uint8_t>());
    RC_ASSERT(!decode(bytes).ok());
  });
}

TEST_CASE("codec survives every single-byte mutation of one message of each kind", "[core][codec]") {
  std::size_t accepted = 0;
  std::size_t refused = 0;
  for (const Message& message : one_of_each_kind()) {
    const std::vector<std::uint8_t> bytes = encode(message);
    for (std::size_t position = 0; position < bytes.size(); ++position) {
      for (int value = 0; value < 256; ++value) {
        if (value == bytes[position]) continue;
        std::vector<std::uint8_t> mutated = bytes;
        mutated[position] = static_cast<std::uint8_t>(value);
        INFO("kind " << message_kind_name(kind_of(message)) << ", byte " << position << " = " << value);
        REQUIRE(decode_is_safe(mutated));
        (decode(mutated).ok() ? accepted : refused) += 1;
      }
    }
  }
  // Most mutations only change a value and are accepted; version, kind, bool and status bytes must refuse
  // most of theirs. Both must happen or the loop above tested nothing.
  CHECK(accepted > 0);
  CHECK(refused > 0);
}

TEST_CASE("codec rejects each kind of malformed input with a located reason", "[core][codec]") {
  const auto error_of = [](const std::vector<std::uint8_t>& input) {
    const DecodeResult result = decode(input);
    REQUIRE_FALSE(result.ok());
    return result.error();
  };

  SECTION("empty input") {
    const DecodeError error = error_of({});
    CHECK(error.offset == 0);
    CHECK(error.reason.find("truncated") != std::string::npos);
  }
  SECTION("unknown version") {
    std::vector<std::uint8_t> input = encode(Heartbeat{1});
    input[0] = 2;
    const DecodeError error = error_of(input);
    CHECK(error.offset == 0);
    CHECK(error.reason.find("version 2") != std::string::npos);
  }
  SECTION("unknown kind") {
    for (const std::uint8_t kind : {std::uint8_t{12}, std::uint8_t{255}}) {
      std::vector<std::uint8_t> input = encode(Heartbeat{1});
      input[1] = kind;
      const DecodeError error = error_of(input);
      CHECK(error.offset == 1);
      CHECK(error.reason.find("kind " + std::to_string(kind)) != std::string::npos);
    }
  }
  SECTION("a bool byte other than 0 or 1") {
    std::vector<std::uint8_t> input = encode(GetImage{1, 2, false});
    input.back() = 2;
    const DecodeError error = error_of(input);
    CHECK(error.offset == input.size() - 1);
    CHECK(error.reason.find("cache_only") != std::string::npos);
    std::vector<std::uint8_t> holding = encode(Holding{1, false, false, {}});
    holding[2 + 8 + 1] = 0xFF;
    CHECK(error_of(holding).reason.find("from_origin") != std::string::npos);
  }
  SECTION("a status byte outside the enum") {
    std::vector<std::uint8_t> input = encode(SizeReply{1, 2, Status::ok, 3});
    input[2 + 8 + 8] = 3;
    const DecodeError error = error_of(input);
    CHECK(error.offset == 2 + 8 + 8);
    CHECK(error.reason.find("status") != std::string::npos);
  }
  SECTION("a body length of 2^63 is refused before anything is allocated") {
    std::vector<std::uint8_t> input = header(MessageKind::image_reply);
    put(input, 1, 8);
    put(input, 2, 8);
    put(input, 0, 1);
    put(input, 0, 8);
    put(input, 1ULL << 63, 8);
    input.resize(input.size() + 12);
    const DecodeError error = error_of(input);
    CHECK(error.offset == 2 + 8 + 8 + 1 + 8);
    CHECK(error.reason.find("exceeds the limit") != std::string::npos);
  }
  SECTION("a body longer than the bytes that follow") {
    std::vector<std::uint8_t> input = header(MessageKind::image_reply);
    put(input, 1, 8);
    put(input, 2, 8);
    put(input, 0, 1);
    put(input, 0, 8);
    put(input, 4096, 8);
    input.resize(input.size() + 12);
    CHECK(error_of(input).reason == "truncated image body: need 4096 bytes, have 12");
  }
  SECTION("a Holding over the id limit, even when the bytes are there") {
    std::vector<std::uint8_t> input = header(MessageKind::holding);
    put(input, 1, 8);
    put(input, 1, 1);
    put(input, 0, 1);
    put(input, max_holding_images + 1, 4);
    input.resize(input.size() + 8 * (max_holding_images + 1));
    const DecodeError error = error_of(input);
    CHECK(error.offset == 2 + 8 + 1 + 1);
    CHECK(error.reason.find("exceeds the limit") != std::string::npos);
  }
  SECTION("a Holding count larger than the bytes that follow") {
    std::vector<std::uint8_t> input = header(MessageKind::holding);
    put(input, 1, 8);
    put(input, 1, 1);
    put(input, 0, 1);
    put(input, 3, 4);
    put(input, 5, 8);
    put(input, 6, 8);
    CHECK(error_of(input).reason.find("truncated image ids") != std::string::npos);
  }
  SECTION("one trailing byte") {
    std::vector<std::uint8_t> input = encode(PullOrder{1, 2, 3});
    input.push_back(0);
    const DecodeError error = error_of(input);
    CHECK(error.offset == input.size() - 1);
    CHECK(error.reason.find("trailing") != std::string::npos);
  }
  SECTION("a body on a failed reply is trailing garbage") {
    std::vector<std::uint8_t> input = encode(ImageReply{1, 2, Status::unavailable, 0, nullptr});
    put(input, 0, 8);
    CHECK(error_of(input).reason.find("trailing") != std::string::npos);
  }
  SECTION("input longer than max_message_bytes, whatever it holds") {
    std::vector<std::uint8_t> input = encode(Heartbeat{1});
    input.resize(max_message_bytes + 1);
    const DecodeError error = error_of(input);
    CHECK(error.reason.find("exceeds the limit") != std::string::npos);
  }
}

}  // namespace
}  // namespace edgecache
