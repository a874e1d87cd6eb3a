#include "core/image_bytes.h"

#include <bit>
#include <cstring>

#include "core/assert.h"

namespace edgecache {

std::uint64_t checksum_of(std::span<const std::uint8_t> data) {
  // Eight bytes at a time, little-endian, so the value is the same on every host; a partial last word is
  // assembled byte by byte so nothing past the end is read.
  const std::uint64_t whole_words = data.size() / 8;
  return checksum_of_words(data.size(), [&](std::uint64_t index) {
    std::uint64_t word = 0;
    if (index < whole_words) {
      std::memcpy(&word, data.data() + index * 8, sizeof word);
      if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
      return word;
    }
    for (std::size_t at = data.size(); at > index * 8; --at) word = (word << 8) | data[at - 1];
    return word;
  });
}

ImageBytes::ImageBytes(std::vector<std::uint8_t> bytes)
    : size_bytes_(bytes.size()), checksum_(checksum_of(bytes)), bytes_(std::move(bytes)) {}

ImageBytes::ImageBytes(std::uint64_t size_bytes, std::uint64_t checksum, Generator generate)
    : size_bytes_(size_bytes), checksum_(checksum), generate_(std::move(generate)) {
  EC_ASSERT(generate_ != nullptr, "a deferred body needs a generator");
}

std::span<const std::uint8_t> ImageBytes::bytes() const {
  if (generate_) {
    bytes_.resize(size_bytes_);
    generate_(bytes_);
    generate_ = nullptr;
    EC_ASSERT(checksum_of(bytes_) == checksum_, "a deferred body's bytes do not match its promised checksum");
  }
  return bytes_;
}

Body make_body(std::vector<std::uint8_t> bytes) { return std::make_shared<const ImageBytes>(std::move(bytes)); }

}  // namespace edgecache
