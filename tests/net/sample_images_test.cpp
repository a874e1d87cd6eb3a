// The sample image generator (net/sample_images.h). Method: generate images and check them the way a PNG
// decoder would (signature, chunk CRCs, IHDR, stored deflate blocks, Adler-32 over the rows), plus
// determinism and the spread of sizes the default setup relies on.

#include <catch2/catch.hpp>

#include "net/http_routes.h"
#include "net/sample_images.h"

namespace edgecache::net {
namespace {

std::uint32_t big_endian_at(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

}  // namespace

TEST_CASE("checksums match their published check values", "[net][sample_images]") {
  const std::string check = "123456789";
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(check.data()), check.size());
  CHECK(png_crc32(bytes) == 0xCBF43926U);
  CHECK(zlib_adler32(bytes) == 0x091E01DEU);
}

TEST_CASE("sample images are valid PNGs that decode to their rows", "[net][sample_images]") {
  const SampleImageOptions options;
  for (ImageId id : {1u, 2u, 17u, 99u}) {
    INFO("image " << id);
    const std::vector<std::uint8_t> png = sample_png(id, options);
    CHECK(content_type_of(png) == "image/png");
    CHECK(png == sample_png(id, options));  // Deterministic.
    // Walk the chunks, checking each CRC, and collect the zlib stream.
    std::size_t offset = 8;
    std::vector<std::uint8_t> zlib;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::string> types;
    while (offset < png.size()) {
      const std::uint32_t length = big_endian_at(png, offset);
      const std::string type(png.begin() + static_cast<std::ptrdiff_t>(offset + 4), png.begin() + static_cast<std::ptrdiff_t>(offset + 8));
      types.push_back(type);
      const std::span<const std::uint8_t> typed(png.data() + offset + 4, length + 4);
      CHECK(png_crc32(typed) == big_endian_at(png, offset + 8 + length));
      if (type == "IHDR") {
        width = big_endian_at(png, offset + 8);
        height = big_endian_at(png, offset + 12);
      }
      if (type == "IDAT") zlib.insert(zlib.end(), typed.begin() + 4, typed.end());
      offset += 12 + length;
    }
    CHECK(offset == png.size());
    CHECK(types == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
    // Inflate the stored blocks and check the result against the Adler-32 and the image's geometry.
    REQUIRE(zlib.size() > 6);
    CHECK((zlib[0] * 256 + zlib[1]) % 31 == 0);
    std::vector<std::uint8_t> rows;
    std::size_t at = 2;
    bool final_block = false;
    while (!final_block) {
      final_block = (zlib[at] & 1) != 0;
      REQUIRE((zlib[at] & 6) == 0);
      const std::size_t length = zlib[at + 1] | (zlib[at + 2] << 8);
      CHECK(static_cast<std::size_t>((zlib[at + 3] | (zlib[at + 4] << 8)) ^ 0xFFFF) == length);
      rows.insert(rows.end(), zlib.begin() + static_cast<std::ptrdiff_t>(at + 5), zlib.begin() + static_cast<std::ptrdiff_t>(at + 5 + length));
      at += 5 + length;
    }
    CHECK(at + 4 == zlib.size());
    CHECK(rows.size() == std::size_t{height} * (1 + 3 * std::size_t{width}));
    CHECK(zlib_adler32(rows) == ((std::uint32_t{zlib[at]} << 24) | (std::uint32_t{zlib[at + 1]} << 16) |
                                 (std::uint32_t{zlib[at + 2]} << 8) | zlib[at + 3]));
  }
}

TEST_CASE("sample sizes spread from a few KiB to about a MiB", "[net][sample_images]") {
  SampleImageOptions options;
  options.count = 100;
  std::uint64_t smallest = UINT64_MAX;
  std::uint64_t largest = 0;
  std::size_t under_32_kib = 0;
  for (ImageId id = 1; id <= options.count; ++id) {
    const std::uint64_t size = sample_png(id, options).size();
    const std::uint64_t target = sample_target_bytes(id, options);
    CHECK(size + 2048 >= target);
    CHECK(size <= target + 2048);
    smallest = std::min(smallest, size);
    largest = std::max(largest, size);
    if (size < 32 * 1024) ++under_32_kib;
  }
  CHECK(smallest < 6 * 1024);
  CHECK(largest > 900 * 1024);
  CHECK(largest <= 1024 * 1024 + 2048);
  CHECK(under_32_kib >= 20);
  CHECK(sample_file_name(7) == "image7.png");
}

}  // namespace edgecache::net
