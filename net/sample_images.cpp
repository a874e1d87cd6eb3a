#include "net/sample_images.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/assert.h"

namespace edgecache::net {

namespace {

constexpr std::size_t max_stored_block_bytes = 65535;  // A stored deflate block's LEN is 16 bits.
constexpr std::size_t png_overhead_bytes = 8 + 25 + 12 + 12 + 2 + 4;  // Signature, IHDR, IDAT and IEND framing, zlib.
constexpr std::size_t stored_block_overhead_bytes = 5;
constexpr std::size_t rgb_bytes_per_pixel = 3;

const std::array<std::uint32_t, 256>& crc_table() {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> result{};
    for (std::uint32_t index = 0; index < 256; ++index) {
      std::uint32_t value = index;
      for (int bit = 0; bit < 8; ++bit) value = (value & 1) != 0 ? 0xEDB88320U ^ (value >> 1) : value >> 1;
      result[index] = value;
    }
    return result;
  }();
  return table;
}

void append_u32_big_endian(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

void append_chunk(std::vector<std::uint8_t>& out, const char (&type)[5], std::span<const std::uint8_t> data) {
  append_u32_big_endian(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t type_at = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  append_u32_big_endian(out, png_crc32(std::span(out).subspan(type_at)));
}

// The pixel rows, each led by filter byte 0 (none): a colour field that depends on the id, with a
// checkerboard and a diagonal band, so images are visibly different and obviously not noise.
std::vector<std::uint8_t> raw_rows(ImageId image_id, std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> rows;
  rows.reserve(static_cast<std::size_t>(height) * (1 + rgb_bytes_per_pixel * width));
  const std::uint32_t hue = static_cast<std::uint32_t>((image_id * 2654435761ULL) >> 8);
  const std::uint32_t square = std::max<std::uint32_t>(8, width / 8);
  for (std::uint32_t y = 0; y < height; ++y) {
    rows.push_back(0);
    for (std::uint32_t x = 0; x < width; ++x) {
      const bool dark = ((x / square) + (y / square)) % 2 == 0;
      const bool band = (x + y) % (2 * square) < square / 3;
      const std::uint32_t red = (x * 255 / width + (hue & 0xFF)) & 0xFF;
      const std::uint32_t green = (y * 255 / height + ((hue >> 8) & 0xFF)) & 0xFF;
      const std::uint32_t blue = ((hue >> 16) & 0xFF) ^ (dark ? 0x40 : 0x00);
      rows.push_back(static_cast<std::uint8_t>(band ? 255 : (dark ? red / 2 : red)));
      rows.push_back(static_cast<std::uint8_t>(band ? 255 : (dark ? green / 2 : green)));
      rows.push_back(static_cast<std::uint8_t>(band ? 255 : blue));
    }
  }
  return rows;
}

}  // namespace

std::uint32_t png_crc32(std::span<const std::uint8_t> bytes) {
  std::uint32_t crc = 0xFFFFFFFFU;
  for (const std::uint8_t byte : bytes) crc = crc_table()[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFU;
}

std::uint32_t zlib_adler32(std::span<const std::uint8_t> bytes) {
  constexpr std::uint32_t modulus = 65521;
  std::uint32_t low = 1;
  std::uint32_t high = 0;
  for (const std::uint8_t byte : bytes) {
    low = (low + byte) % modulus;
    high = (high + low) % modulus;
  }
  return (high << 16) | low;
}

std::uint64_t sample_target_bytes(ImageId image_id, const SampleImageOptions& options) {
  EC_ASSERT(options.min_bytes > 0 && options.min_bytes <= options.max_bytes, "sample sizes need 0 < min <= max");
  // The golden-ratio sequence fills [0, 1) evenly for any count, so sizes cover the range whatever N is.
  const double golden = 0.6180339887498949;
  const double position = std::fmod(static_cast<double>(image_id) * golden, 1.0);
  const double ratio = static_cast<double>(options.max_bytes) / static_cast<double>(options.min_bytes);
  return static_cast<std::uint64_t>(static_cast<double>(options.min_bytes) * std::pow(ratio, position));
}

std::vector<std::uint8_t> sample_png(ImageId image_id, const SampleImageOptions& options) {
  // Solve for a square-ish image whose stored pixel data lands near the target size.
  const std::uint64_t target = sample_target_bytes(image_id, options);
  const double payload = static_cast<double>(target > png_overhead_bytes ? target - png_overhead_bytes : 1);
  const auto side = static_cast<std::uint32_t>(
      std::clamp(std::sqrt(payload / static_cast<double>(rgb_bytes_per_pixel)), 8.0, double{max_sample_side_pixels}));
  const std::uint32_t width = side;
  const auto height = static_cast<std::uint32_t>(std::clamp<double>(
      std::round(payload / (1.0 + rgb_bytes_per_pixel * static_cast<double>(width))), 1.0, double{max_sample_side_pixels}));
  const std::vector<std::uint8_t> rows = raw_rows(image_id, width, height);

  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> header;
  append_u32_big_endian(header, width);
  append_u32_big_endian(header, height);
  header.insert(header.end(), {8, 2, 0, 0, 0});  // 8 bits per channel, RGB, deflate, adaptive filters, no interlace.
  append_chunk(png, "IHDR", header);

  std::vector<std::uint8_t> zlib = {0x78, 0x01};  // Deflate with a 32 KiB window, no dictionary, "fastest".
  zlib.reserve(rows.size() + rows.size() / max_stored_block_bytes * stored_block_overhead_bytes + 16);
  for (std::size_t offset = 0; offset < rows.size(); offset += max_stored_block_bytes) {
    const std::size_t length = std::min(max_stored_block_bytes, rows.size() - offset);
    const bool final_block = offset + length == rows.size();
    zlib.push_back(final_block ? 1 : 0);  // BFINAL, BTYPE 00 (stored).
    zlib.push_back(static_cast<std::uint8_t>(length & 0xFF));
    zlib.push_back(static_cast<std::uint8_t>(length >> 8));
    zlib.push_back(static_cast<std::uint8_t>(~length & 0xFF));
    zlib.push_back(static_cast<std::uint8_t>((~length >> 8) & 0xFF));
    zlib.insert(zlib.end(), rows.begin() + static_cast<std::ptrdiff_t>(offset),
                rows.begin() + static_cast<std::ptrdiff_t>(offset + length));
  }
  append_u32_big_endian(zlib, zlib_adler32(rows));
  append_chunk(png, "IDAT", zlib);
  append_chunk(png, "IEND", {});
  return png;
}

std::string sample_file_name(ImageId image_id) { return "image" + std::to_string(image_id) + ".png"; }

}  // namespace edgecache::net
