#pragma once
// Immutable image contents with their checksum computed once, at construction, from the bytes themselves.
// Replies share one buffer through a pointer, so serving a cached image copies no bytes, and a checker can
// compare checksums without rehashing on every hit. A corrupted copy is a new ImageBytes whose checksum
// reflects the corruption, so sharing never hides a bad byte.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace edgecache {

// Returns a 64-bit non-cryptographic checksum of `data` (stable across platforms and releases: it is
// part of the wire format and of ETags).
std::uint64_t checksum_of(std::span<const std::uint8_t> data);

class ImageBytes {
 public:
  explicit ImageBytes(std::vector<std::uint8_t> bytes);

  std::span<const std::uint8_t> bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  // Returns checksum_of(bytes()), computed once.
  std::uint64_t checksum() const { return checksum_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::uint64_t checksum_;
};

using Body = std::shared_ptr<const ImageBytes>;

Body make_body(std::vector<std::uint8_t> bytes);

}  // namespace edgecache
