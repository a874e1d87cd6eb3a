// Fuzz target `codec`: core's message decoder (core/codec.h) on arbitrary bytes, as a peer's frame payload
// would deliver them.
//
// Method: decode the input. A rejection must say where and why. An acceptance must be the one encoding of
// its message: the codec is fixed-width with strict bools and statuses and refuses trailing bytes, so
// encoding the decoded message gives back exactly the input, and decoding that again gives an equal
// message. A decoder that accepts two spellings of one message, or an encoder that loses a field, breaks
// one of these and aborts the run.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "core/codec.h"
#include "core/image_bytes.h"

namespace {

using namespace edgecache;

// Every field of each message kind, so two messages compare field by field.
auto fields_of(const GetImage& m) { return std::tie(m.request_id, m.image_id, m.cache_only); }
auto fields_of(const ImageReply& m) { return std::tie(m.request_id, m.image_id, m.status, m.checksum); }
auto fields_of(const GetSize& m) { return std::tie(m.request_id, m.image_id); }
auto fields_of(const SizeReply& m) { return std::tie(m.request_id, m.image_id, m.status, m.size_bytes); }
auto fields_of(const Election& m) { return std::tie(m.epoch); }
auto fields_of(const Answer& m) { return std::tie(m.epoch); }
auto fields_of(const Coordinator& m) { return std::tie(m.epoch); }
auto fields_of(const Heartbeat& m) { return std::tie(m.epoch); }
auto fields_of(const HeartbeatAck& m) { return std::tie(m.epoch); }
auto fields_of(const InventoryRequest& m) { return std::tie(m.epoch); }
auto fields_of(const Holding& m) { return std::tie(m.epoch, m.complete, m.from_origin, m.image_ids, m.free_bytes); }
auto fields_of(const PullOrder& m) { return std::tie(m.epoch, m.image_id, m.source); }

// Bodies are shared pointers; two replies are equal when their bytes are.
bool same_body(const Body& a, const Body& b) {
  if (!a || !b) return !a && !b;
  return std::ranges::equal(a->bytes(), b->bytes()) && a->checksum() == b->checksum();
}

bool same_message(const Message& a, const Message& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& first) {
        const auto& second = std::get<std::decay_t<decltype(first)>>(b);
        if (fields_of(first) != fields_of(second)) return false;
        if constexpr (std::is_same_v<std::decay_t<decltype(first)>, ImageReply>) return same_body(first.body, second.body);
        return true;
      },
      a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const DecodeResult decoded = decode(input);
  if (!decoded.ok()) {
    EC_ASSERT(decoded.error().offset <= size, "a decode error points inside the input");
    EC_ASSERT(!decoded.error().reason.empty(), "a decode error says why");
    return 0;
  }
  const Message& message = decoded.message();
  if (const auto* reply = std::get_if<ImageReply>(&message); reply != nullptr && reply->body) {
    EC_ASSERT(reply->body->checksum() == checksum_of(reply->body->bytes()), "a decoded body's checksum is its bytes'");
  }
  const std::vector<std::uint8_t> encoded = encode(message);
  EC_ASSERT(encoded_size(message) == encoded.size(), "encoded_size agrees with encode");
  EC_ASSERT(std::ranges::equal(encoded, input), "an accepted input is the one encoding of its message");
  const DecodeResult again = decode(encoded);
  EC_ASSERT(again.ok(), "a re-encoded message decodes");
  EC_ASSERT(same_message(again.message(), message), "a re-encoded message decodes to an equal message");
  EC_ASSERT(message_digest(again.message()) == message_digest(message), "equal messages have equal digests");
  return 0;
}
