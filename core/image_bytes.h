#pragma once
// Immutable image contents with their checksum computed once, at construction, from the bytes themselves.
// Replies share one buffer through a pointer, so serving a cached image copies no bytes, and a checker can
// compare checksums without rehashing on every hit. A corrupted copy is a new ImageBytes whose checksum
// reflects the corruption, so sharing never hides a bad byte.
//
// A body can also be deferred: its size and checksum are known up front and its bytes are made the first
// time someone reads them. The simulator's synthetic catalog hands out deferred bodies because nothing in a
// simulated run reads the bytes (nodes and checkers compare sizes and checksums; only the codec and the
// real daemons read bytes), so a run does not spend its time and memory writing bytes nobody looks at.
// The bytes are checked against the promised size and checksum when they are made.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace edgecache {

// Returns a 64-bit non-cryptographic checksum of `data` (stable across platforms and releases: it is
// part of the wire format and of ETags).
std::uint64_t checksum_of(std::span<const std::uint8_t> data);

// Returns checksum_of(bytes) for the `size_bytes` bytes whose little-endian 8-byte words are word_at(0),
// word_at(1), ... (of the last word, if partial, only the low size_bytes % 8 bytes count, and the others are
// ignored). This is checksum_of itself, for contents that can be computed word by word without being
// stored: the synthetic catalog hashes its images this way.
template <typename WordAt>
std::uint64_t checksum_of_words(std::uint64_t size_bytes, WordAt word_at);

class ImageBytes {
 public:
  // Fills its argument (already sized) with the image's bytes.
  using Generator = std::function<void(std::span<std::uint8_t>)>;

  explicit ImageBytes(std::vector<std::uint8_t> bytes);

  // A deferred body. REQUIRES: `generate` fills `size_bytes` bytes whose checksum_of is `checksum`, the same
  // bytes every time (checked by an assertion when the bytes are made). Not for sharing across threads
  // before the bytes are made: only the single-threaded simulator makes deferred bodies.
  ImageBytes(std::uint64_t size_bytes, std::uint64_t checksum, Generator generate);

  // Returns the bytes, making them first if the body is deferred.
  std::span<const std::uint8_t> bytes() const;
  std::size_t size() const { return size_bytes_; }
  // Returns checksum_of(bytes()), known without making the bytes.
  std::uint64_t checksum() const { return checksum_; }

 private:
  std::size_t size_bytes_;
  std::uint64_t checksum_;
  // Empty once the bytes are made (or if they were given).
  mutable Generator generate_;
  mutable std::vector<std::uint8_t> bytes_;
};

using Body = std::shared_ptr<const ImageBytes>;

namespace checksum_detail {
constexpr std::uint64_t multiplier = 0x9E3779B97F4A7C15ULL;

constexpr std::uint64_t mix(std::uint64_t value) {
  value ^= value >> 33;
  value *= 0xFF51AFD7ED558CCDULL;
  value ^= value >> 33;
  value *= 0xC4CEB9FE1A85EC53ULL;
  value ^= value >> 33;
  return value;
}
}  // namespace checksum_detail

template <typename WordAt>
std::uint64_t checksum_of_words(std::uint64_t size_bytes, WordAt word_at) {
  using checksum_detail::mix;
  using checksum_detail::multiplier;
  std::uint64_t state = 0x5EED0F1A6E5ULL ^ (size_bytes * multiplier);
  const std::uint64_t whole_words = size_bytes / 8;
  std::uint64_t word = 0;
  // Four independent lanes over 32-byte blocks let the multiplies overlap; they are folded at the end.
  std::uint64_t lanes[4] = {state, state ^ 0x243F6A8885A308D3ULL, state ^ 0x13198A2E03707344ULL,
                            state ^ 0xA4093822299F31D0ULL};
  for (; word + 4 <= whole_words; word += 4) {
    for (std::uint64_t lane = 0; lane < 4; ++lane) {
      lanes[lane] = (lanes[lane] ^ word_at(word + lane)) * multiplier;
      lanes[lane] ^= lanes[lane] >> 29;
    }
  }
  state = mix(lanes[0]) ^ (mix(lanes[1]) * 3) ^ (mix(lanes[2]) * 5) ^ (mix(lanes[3]) * 7);
  for (; word < whole_words; ++word) {
    state = (state ^ mix(word_at(word))) * multiplier;
    state ^= state >> 29;
  }
  const std::uint64_t tail_bytes = size_bytes - whole_words * 8;
  const std::uint64_t tail = tail_bytes == 0 ? 0 : word_at(whole_words) & ((std::uint64_t{1} << (8 * tail_bytes)) - 1);
  state ^= mix(tail ^ tail_bytes);
  return mix(state);
}

Body make_body(std::vector<std::uint8_t> bytes);

}  // namespace edgecache
