#include "core/codec.h"

#include <array>
#include <utility>

#include "core/assert.h"

namespace edgecache {

namespace {

constexpr std::size_t header_bytes = 2;  // Version and kind.
constexpr std::size_t u8_bytes = 1;
constexpr std::size_t u32_bytes = 4;
constexpr std::size_t u64_bytes = 8;

// The largest encodings a valid message can have must fit the limit decode() enforces, or a node could send
// what its peers refuse.
constexpr std::size_t largest_image_reply_bytes = header_bytes + 4 * u64_bytes + u8_bytes + max_image_bytes;
constexpr std::size_t largest_holding_bytes =
    header_bytes + u64_bytes + 2 * u8_bytes + u32_bytes + max_holding_images * u64_bytes + u64_bytes;
static_assert(largest_image_reply_bytes <= max_message_bytes);
static_assert(largest_holding_bytes <= max_message_bytes);
static_assert(max_holding_images <= 0xFFFFFFFFULL, "Holding counts travel as u32");

// Encoding and sizing share one description of each message's fields (write_fields below), written against a
// sink, so encoded_size() cannot drift from encode(). This sink only counts.
class SizeSink {
 public:
  void u8(std::uint8_t) { size_ += u8_bytes; }
  void u32(std::uint32_t) { size_ += u32_bytes; }
  void u64(std::uint64_t) { size_ += u64_bytes; }
  // Counts a body's bytes without reading them, so sizing a message never makes a deferred body's bytes.
  void body(const ImageBytes& body) { size_ += body.size(); }
  void u64s(std::span<const std::uint64_t> values) { size_ += values.size() * u64_bytes; }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_ = 0;
};

// This sink appends to a buffer that the caller has sized with SizeSink, so it never reallocates.
class ByteSink {
 public:
  explicit ByteSink(std::vector<std::uint8_t>& out) : out_(out) {}
  void u8(std::uint8_t value) { out_.push_back(value); }
  void u32(std::uint32_t value) { little_endian(value, u32_bytes); }
  void u64(std::uint64_t value) { little_endian(value, u64_bytes); }
  void body(const ImageBytes& body) { out_.insert(out_.end(), body.bytes().begin(), body.bytes().end()); }
  void u64s(std::span<const std::uint64_t> values) {
    for (const std::uint64_t value : values) u64(value);
  }

 private:
  void little_endian(std::uint64_t value, std::size_t width) {
    for (std::size_t index = 0; index < width; ++index) out_.push_back(static_cast<std::uint8_t>(value >> (8 * index)));
  }
  std::vector<std::uint8_t>& out_;
};

template <typename Sink>
void write_fields(Sink& sink, const GetImage& message) {
  sink.u64(message.request_id);
  sink.u64(message.image_id);
  sink.u8(message.cache_only ? 1 : 0);
}

template <typename Sink>
void write_fields(Sink& sink, const ImageReply& message) {
  sink.u64(message.request_id);
  sink.u64(message.image_id);
  sink.u8(static_cast<std::uint8_t>(message.status));
  sink.u64(message.checksum);
  if (message.status == Status::ok) {
    // A missing body is counted as empty only so that encoded_size() is total; encode() asserts it is set.
    sink.u64(message.body ? message.body->size() : 0);
    if (message.body) sink.body(*message.body);
  }
}

template <typename Sink>
void write_fields(Sink& sink, const GetSize& message) {
  sink.u64(message.request_id);
  sink.u64(message.image_id);
}

template <typename Sink>
void write_fields(Sink& sink, const SizeReply& message) {
  sink.u64(message.request_id);
  sink.u64(message.image_id);
  sink.u8(static_cast<std::uint8_t>(message.status));
  sink.u64(message.size_bytes);
}

template <typename Sink>
void write_fields(Sink& sink, const Election& message) {
  sink.u64(message.epoch);
}

template <typename Sink>
void write_fields(Sink& sink, const Answer& message) {
  sink.u64(message.epoch);
}

template <typename Sink>
void write_fields(Sink& sink, const Coordinator& message) {
  sink.u64(message.epoch);
}

template <typename Sink>
void write_fields(Sink& sink, const Heartbeat& message) {
  sink.u64(message.epoch);
}

template <typename Sink>
void write_fields(Sink& sink, const HeartbeatAck& message) {
  sink.u64(message.epoch);
}

template <typename Sink>
void write_fields(Sink& sink, const InventoryRequest& message) {
  sink.u64(message.epoch);
}

template <typename Sink>
void write_fields(Sink& sink, const Holding& message) {
  sink.u64(message.epoch);
  sink.u8(message.complete ? 1 : 0);
  sink.u8(message.from_origin ? 1 : 0);
  sink.u32(static_cast<std::uint32_t>(message.image_ids.size()));
  sink.u64s(message.image_ids);
  sink.u64(message.free_bytes);
}

template <typename Sink>
void write_fields(Sink& sink, const PullOrder& message) {
  sink.u64(message.epoch);
  sink.u64(message.image_id);
  sink.u32(message.source);
}

template <typename Sink>
void write_message(Sink& sink, const Message& message) {
  sink.u8(codec_version);
  sink.u8(static_cast<std::uint8_t>(kind_of(message)));
  std::visit([&sink](const auto& fields) { write_fields(sink, fields); }, message);
}

// Reads fields from untrusted input. The first failure is kept and every later read returns zero without
// moving, so a decoder can read a message's fixed fields straight through and check once; but any read whose
// result sizes an allocation or a loop must check failed() first.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> input) : input_(input) {}

  bool failed() const { return failed_; }
  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return input_.size() - offset_; }
  const DecodeError& error() const { return error_; }

  void fail_at(std::size_t offset, std::string reason) {
    if (failed_) return;
    failed_ = true;
    error_ = DecodeError{offset, std::move(reason)};
  }

  std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(little_endian(u8_bytes, what)); }
  std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(little_endian(u32_bytes, what)); }
  std::uint64_t u64(const char* what) { return little_endian(u64_bytes, what); }

  bool boolean(const char* what) {
    const std::size_t at = offset_;
    const std::uint8_t value = u8(what);
    if (value > 1) fail_at(at, std::string("invalid bool for ") + what + ": " + std::to_string(value));
    return value == 1;
  }

  Status status(const char* what) {
    const std::size_t at = offset_;
    const std::uint8_t value = u8(what);
    if (value > static_cast<std::uint8_t>(Status::unavailable)) {
      fail_at(at, std::string("invalid status for ") + what + ": " + std::to_string(value));
      return Status::unavailable;
    }
    return static_cast<Status>(value);
  }

  // Returns the next `count` bytes. The caller has already checked count <= remaining(), since `count` came
  // from the input and the check must come before any allocation sized by it.
  std::span<const std::uint8_t> bytes(std::size_t count) {
    EC_ASSERT(!failed_ && count <= remaining(), "Reader::bytes needs a length checked against the input");
    const std::span<const std::uint8_t> result = input_.subspan(offset_, count);
    offset_ += count;
    return result;
  }

  // Checks that `count` items of `item_bytes` each fit in the input, failing with a "truncated" error if not.
  bool fits(std::uint64_t count, std::size_t item_bytes, const char* what) {
    if (failed_) return false;
    // Dividing avoids the overflow a multiplication by an untrusted count could cause.
    if (count > remaining() / item_bytes) {
      fail_at(offset_, std::string("truncated ") + what + ": need " + std::to_string(count) + " x " +
                           std::to_string(item_bytes) + " bytes, have " + std::to_string(remaining()));
      return false;
    }
    return true;
  }

 private:
  std::uint64_t little_endian(std::size_t width, const char* what) {
    if (failed_) return 0;
    if (remaining() < width) {
      fail_at(offset_, std::string("truncated ") + what + ": need " + std::to_string(width) + " bytes, have " +
                           std::to_string(remaining()));
      return 0;
    }
    std::uint64_t value = 0;
    for (std::size_t index = width; index > 0; --index) value = (value << 8) | input_[offset_ + index - 1];
    offset_ += width;
    return value;
  }

  std::span<const std::uint8_t> input_;
  std::size_t offset_ = 0;
  bool failed_ = false;
  DecodeError error_;
};

void read_fields(Reader& reader, GetImage& message) {
  message.request_id = reader.u64("request_id");
  message.image_id = reader.u64("image_id");
  message.cache_only = reader.boolean("cache_only");
}

void read_fields(Reader& reader, ImageReply& message) {
  message.request_id = reader.u64("request_id");
  message.image_id = reader.u64("image_id");
  message.status = reader.status("status");
  message.checksum = reader.u64("checksum");
  if (reader.failed() || message.status != Status::ok) return;
  const std::size_t length_offset = reader.offset();
  const std::uint64_t length = reader.u64("image body length");
  if (reader.failed()) return;
  if (length > max_image_bytes) {
    reader.fail_at(length_offset, "image body of " + std::to_string(length) + " bytes exceeds the limit of " +
                          std::to_string(max_image_bytes));
    return;
  }
  if (length > reader.remaining()) {
    reader.fail_at(length_offset, "truncated image body: need " + std::to_string(length) + " bytes, have " +
                          std::to_string(reader.remaining()));
    return;
  }
  const std::span<const std::uint8_t> bytes = reader.bytes(static_cast<std::size_t>(length));
  message.body = make_body(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

void read_fields(Reader& reader, GetSize& message) {
  message.request_id = reader.u64("request_id");
  message.image_id = reader.u64("image_id");
}

void read_fields(Reader& reader, SizeReply& message) {
  message.request_id = reader.u64("request_id");
  message.image_id = reader.u64("image_id");
  message.status = reader.status("status");
  message.size_bytes = reader.u64("size_bytes");
}

void read_fields(Reader& reader, Election& message) { message.epoch = reader.u64("epoch"); }
void read_fields(Reader& reader, Answer& message) { message.epoch = reader.u64("epoch"); }
void read_fields(Reader& reader, Coordinator& message) { message.epoch = reader.u64("epoch"); }
void read_fields(Reader& reader, Heartbeat& message) { message.epoch = reader.u64("epoch"); }
void read_fields(Reader& reader, HeartbeatAck& message) { message.epoch = reader.u64("epoch"); }
void read_fields(Reader& reader, InventoryRequest& message) { message.epoch = reader.u64("epoch"); }

void read_fields(Reader& reader, Holding& message) {
  message.epoch = reader.u64("epoch");
  message.complete = reader.boolean("complete");
  message.from_origin = reader.boolean("from_origin");
  const std::size_t count_offset = reader.offset();
  const std::uint32_t count = reader.u32("image id count");
  if (reader.failed()) return;
  if (count > max_holding_images) {
    reader.fail_at(count_offset, "holding of " + std::to_string(count) + " image ids exceeds the limit of " +
                          std::to_string(max_holding_images));
    return;
  }
  if (!reader.fits(count, u64_bytes, "image ids")) return;
  message.image_ids.reserve(count);
  for (std::uint32_t index = 0; index < count; ++index) message.image_ids.push_back(reader.u64("image id"));
  message.free_bytes = reader.u64("free_bytes");
}

void read_fields(Reader& reader, PullOrder& message) {
  message.epoch = reader.u64("epoch");
  message.image_id = reader.u64("image_id");
  message.source = reader.u32("source");
}

template <std::size_t kind_index>
Message read_message(Reader& reader) {
  std::variant_alternative_t<kind_index, Message> fields;
  read_fields(reader, fields);
  return Message(std::in_place_index<kind_index>, std::move(fields));
}

// One reader per wire kind, indexed by the kind byte, built from the variant so the two cannot disagree.
using MessageReader = Message (*)(Reader&);
template <std::size_t... kind_indices>
constexpr std::array<MessageReader, sizeof...(kind_indices)> make_readers(std::index_sequence<kind_indices...>) {
  return {&read_message<kind_indices>...};
}
constexpr auto message_readers = make_readers(std::make_index_sequence<message_kind_count>{});

}  // namespace

const Message& DecodeResult::message() const {
  EC_ASSERT(ok(), "DecodeResult::message() on a failed decode");
  return std::get<Message>(value_);
}

Message& DecodeResult::message() {
  EC_ASSERT(ok(), "DecodeResult::message() on a failed decode");
  return std::get<Message>(value_);
}

const DecodeError& DecodeResult::error() const {
  EC_ASSERT(!ok(), "DecodeResult::error() on a successful decode");
  return std::get<DecodeError>(value_);
}

std::vector<std::uint8_t> encode(const Message& message) {
  if (const auto* reply = std::get_if<ImageReply>(&message)) {
    EC_ASSERT((reply->status == Status::ok) == (reply->body != nullptr), "an ImageReply has a body iff it is ok");
    EC_ASSERT(!reply->body || reply->body->size() <= max_image_bytes, "image body exceeds max_image_bytes");
  }
  if (const auto* holding = std::get_if<Holding>(&message)) {
    EC_ASSERT(holding->image_ids.size() <= max_holding_images, "Holding exceeds max_holding_images");
  }
  std::vector<std::uint8_t> out;
  out.reserve(encoded_size(message));
  ByteSink sink(out);
  write_message(sink, message);
  return out;
}

std::size_t encoded_size(const Message& message) {
  // The counting sink adds lengths without walking bodies or id lists, so this is cheap for any message.
  SizeSink sink;
  write_message(sink, message);
  return sink.size();
}

DecodeResult decode(std::span<const std::uint8_t> input) {
  if (input.size() > max_message_bytes) {
    return DecodeResult(DecodeError{max_message_bytes, "message of " + std::to_string(input.size()) +
                                                           " bytes exceeds the limit of " +
                                                           std::to_string(max_message_bytes)});
  }
  Reader reader(input);
  const std::uint8_t version = reader.u8("codec version");
  if (reader.failed()) return DecodeResult(reader.error());
  if (version != codec_version) {
    return DecodeResult(DecodeError{0, "unknown codec version " + std::to_string(version) + " (this codec speaks " +
                                           std::to_string(codec_version) + ")"});
  }
  const std::uint8_t kind = reader.u8("message kind");
  if (reader.failed()) return DecodeResult(reader.error());
  if (kind >= message_kind_count) {
    return DecodeResult(DecodeError{1, "unknown message kind " + std::to_string(kind)});
  }
  Message message = message_readers[kind](reader);
  if (reader.failed()) return DecodeResult(reader.error());
  if (reader.remaining() != 0) {
    return DecodeResult(DecodeError{input.size() - reader.remaining(),
                                    std::to_string(reader.remaining()) + " trailing bytes after a " +
                                        std::string(message_kind_name(static_cast<MessageKind>(kind))) +
                                        " message"});
  }
  return DecodeResult(std::move(message));
}

std::uint64_t message_digest(const Message& message) {
  const auto* reply = std::get_if<ImageReply>(&message);
  if (reply == nullptr || !reply->body) return checksum_of(encode(message));
  // Encode the reply as a failed one so the body is left out, then restore the status and add the body's
  // size and checksum, which pin its content.
  ImageReply without_body = *reply;
  without_body.status = Status::unavailable;
  without_body.body = nullptr;
  std::vector<std::uint8_t> bytes = encode(Message{without_body});
  const std::uint64_t extra[] = {static_cast<std::uint64_t>(reply->status), reply->body->size(), reply->body->checksum()};
  for (std::uint64_t value : extra) {
    for (int shift = 0; shift < 64; shift += 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
  }
  return checksum_of(bytes);
}

}  // namespace edgecache
