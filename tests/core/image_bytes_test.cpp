// Tests for ImageBytes and the checksum. Method: checksum_of is pinned to values computed by the first
// release, because checksums travel on the wire and in ETags and must never change; a deferred body is
// checked to make its bytes once, on first read.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/image_bytes.h"

namespace edgecache {
namespace {

TEST_CASE("checksums never change across releases", "[core][image_bytes]") {
  // Sizes around every boundary of the algorithm: empty, partial words, whole words, the 32-byte lanes.
  const std::pair<std::size_t, std::uint64_t> pinned[] = {
      {0, 0x750cd8c23bb613fcULL},   {1, 0xfa35d33491012fc3ULL},   {7, 0xe90d15c51e59f0b1ULL},
      {8, 0xe7c7709cadf3254cULL},   {9, 0x0392a988c4d207c5ULL},   {31, 0x42afc35a3da81554ULL},
      {32, 0x6c836dddcfd2ce0aULL},  {33, 0x48539ec7853b9fc3ULL},  {63, 0x735c1d930b761710ULL},
      {64, 0x162a51c5b9ad751aULL},  {100, 0x1abb5db54e6a121dULL}, {1000, 0x9a301da02a38821dULL},
      {4099, 0xa34ce8dd672eb808ULL},
  };
  for (const auto& [size, expected] : pinned) {
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 37 + 11);
    INFO("size " << size);
    CHECK(checksum_of(bytes) == expected);
  }
}

TEST_CASE("a deferred body makes its bytes once, when first read", "[core][image_bytes]") {
  int calls = 0;
  const std::vector<std::uint8_t> contents{9, 8, 7, 6, 5};
  const ImageBytes body(contents.size(), checksum_of(contents), [&](std::span<std::uint8_t> out) {
    ++calls;
    std::copy(contents.begin(), contents.end(), out.begin());
  });
  CHECK(body.size() == 5);
  CHECK(body.checksum() == checksum_of(contents));
  CHECK(calls == 0);
  CHECK(std::vector<std::uint8_t>(body.bytes().begin(), body.bytes().end()) == contents);
  CHECK(std::vector<std::uint8_t>(body.bytes().begin(), body.bytes().end()) == contents);
  CHECK(calls == 1);
}

}  // namespace
}  // namespace edgecache
