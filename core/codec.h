#pragma once
// The one binary encoding of Message, used wherever messages leave a process (and by the simulator to price
// a message's transfer time by its size).
//
// Layout: byte 0 is the codec version, byte 1 the MessageKind, then the message's fields in declaration
// order. Integers are little-endian and fixed width: u64 for ids, epochs, sizes and checksums, u32 for NodeId
// and for vector counts. A bool or a Status is one byte whose value is checked strictly. An ImageReply
// carries its body (u64 length, then the bytes) iff its status is ok; a length of zero is an empty image.
// A Holding carries its ids as a u32 count followed by that many u64s, then its free_bytes.
//
// Decoding treats its input as hostile: every length is checked against the bytes that remain before
// anything is read or allocated, and anything malformed is reported as a DecodeError, never asserted.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/catalog.h"
#include "core/messages.h"

namespace edgecache {

// The version byte this codec writes and the only one it reads.
constexpr std::uint8_t codec_version = 1;

// Room for everything in a message besides an image body: the header, the fixed fields, and the largest
// Holding (max_holding_images ids of eight bytes each).
constexpr std::size_t max_message_overhead_bytes = 1024 * 1024;
// The longest encoding decode() accepts, and the longest encode() can produce from a valid message.
constexpr std::size_t max_message_bytes = max_image_bytes + max_message_overhead_bytes;

// Returns the encoding of `message`.
// REQUIRES: an ImageReply has a body iff its status is ok, no body exceeds max_image_bytes, and a Holding has
// at most max_holding_images ids (larger inventories are split by the sender).
std::vector<std::uint8_t> encode(const Message& message);

// Returns encode(message).size() without encoding or allocating. Unlike encode() it accepts any message (it
// counts a missing ok body as empty and ignores a body on a failed reply), so a simulator can price messages
// a test has deliberately broken.
std::size_t encoded_size(const Message& message);

// Why an input is not a valid encoding: `offset` is the position of the offending byte or field, `reason`
// a sentence for logs, such as "truncated image body: need 4096 bytes, have 12".
struct DecodeError {
  std::size_t offset = 0;
  std::string reason;
};

// The outcome of decode(): exactly one of a message or an error.
class DecodeResult {
 public:
  explicit DecodeResult(Message message) : value_(std::move(message)) {}
  explicit DecodeResult(DecodeError error) : value_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<Message>(value_); }

  // REQUIRES: ok().
  const Message& message() const;
  Message& message();

  // REQUIRES: !ok().
  const DecodeError& error() const;

 private:
  std::variant<Message, DecodeError> value_;
};

// Decodes one whole message from `input`, which must hold exactly one encoding (trailing bytes are an error).
// An ImageReply's body is rebuilt with make_body, so body->checksum() reflects the bytes received; the
// sender's claimed `checksum` is returned untouched for the receiver to compare.
DecodeResult decode(std::span<const std::uint8_t> input);

// Returns a 64-bit digest that pins every field of `message`, computed as checksum_of(encode(message)) with an
// ImageReply's body left out and its size and checksum mixed in instead. Node traces record outputs by this
// digest, so a replay compares outputs exactly without the recorder or the replayer holding image bytes.
// REQUIRES: as for encode().
std::uint64_t message_digest(const Message& message);

}  // namespace edgecache
