#include "core/image_bytes.h"

#include <cstring>

namespace edgecache {

namespace {
constexpr std::uint64_t multiplier = 0x9E3779B97F4A7C15ULL;

std::uint64_t mix(std::uint64_t value) {
  value ^= value >> 33;
  value *= 0xFF51AFD7ED558CCDULL;
  value ^= value >> 33;
  value *= 0xC4CEB9FE1A85EC53ULL;
  value ^= value >> 33;
  return value;
}
}  // namespace

std::uint64_t checksum_of(std::span<const std::uint8_t> data) {
  // Eight bytes at a time, little-endian, so the value is the same on every host.
  std::uint64_t state = 0x5EED0F1A6E5ULL ^ (data.size() * multiplier);
  std::size_t offset = 0;
  for (; offset + 8 <= data.size(); offset += 8) {
    std::uint64_t word = 0;
    for (int byte = 7; byte >= 0; --byte) word = (word << 8) | data[offset + static_cast<std::size_t>(byte)];
    state = (state ^ mix(word)) * multiplier;
    state ^= state >> 29;
  }
  std::uint64_t tail = 0;
  for (std::size_t index = data.size(); index > offset; --index) tail = (tail << 8) | data[index - 1];
  state ^= mix(tail ^ (data.size() - offset));
  return mix(state);
}

ImageBytes::ImageBytes(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)), checksum_(checksum_of(bytes_)) {}

Body make_body(std::vector<std::uint8_t> bytes) { return std::make_shared<const ImageBytes>(std::move(bytes)); }

}  // namespace edgecache
