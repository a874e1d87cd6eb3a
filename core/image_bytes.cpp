#include "core/image_bytes.h"

#include <bit>
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
// Reads eight bytes as a little-endian integer, whatever the host's byte order.
std::uint64_t load_little_endian(const std::uint8_t* bytes) {
  std::uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}
}  // namespace

std::uint64_t checksum_of(std::span<const std::uint8_t> data) {
  // Eight bytes at a time, little-endian, so the value is the same on every host.
  std::uint64_t state = 0x5EED0F1A6E5ULL ^ (data.size() * multiplier);
  std::size_t offset = 0;
  // Four independent lanes let the multiplies overlap; the lanes are folded together at the end.
  std::uint64_t lanes[4] = {state, state ^ 0x243F6A8885A308D3ULL, state ^ 0x13198A2E03707344ULL, state ^ 0xA4093822299F31D0ULL};
  for (; offset + 32 <= data.size(); offset += 32) {
    for (int lane = 0; lane < 4; ++lane) {
      lanes[lane] = (lanes[lane] ^ load_little_endian(data.data() + offset + 8 * static_cast<std::size_t>(lane))) * multiplier;
      lanes[lane] ^= lanes[lane] >> 29;
    }
  }
  state = mix(lanes[0]) ^ (mix(lanes[1]) * 3) ^ (mix(lanes[2]) * 5) ^ (mix(lanes[3]) * 7);
  for (; offset + 8 <= data.size(); offset += 8) {
    state = (state ^ mix(load_little_endian(data.data() + offset))) * multiplier;
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
