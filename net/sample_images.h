#pragma once
// Deterministic sample images for the default setup: real PNG files (any browser shows them) built without
// an image library. Pixels are stored uncompressed (zlib "stored" deflate blocks), so a file's size is set
// exactly by its width and height, which is how sizes are spread from a few KiB to about a megabyte. The same
// id and options give the same bytes on every machine.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/types.h"

namespace edgecache::net {

constexpr std::uint64_t default_sample_min_bytes = 4 * 1024;
constexpr std::uint64_t default_sample_max_bytes = 1024 * 1024;
constexpr std::uint64_t max_sample_images = 100'000;
constexpr std::uint32_t max_sample_side_pixels = 4096;

struct SampleImageOptions {
  std::uint64_t count = 100;
  std::uint64_t min_bytes = default_sample_min_bytes;
  std::uint64_t max_bytes = default_sample_max_bytes;
};

// Returns the target file size of image `image_id` (1..count): log-uniform between min_bytes and max_bytes,
// with ids spread over that range by the golden ratio so that neighbouring ids have unrelated sizes.
std::uint64_t sample_target_bytes(ImageId image_id, const SampleImageOptions& options);

// Returns a complete PNG file for `image_id`, within a few hundred bytes of sample_target_bytes.
std::vector<std::uint8_t> sample_png(ImageId image_id, const SampleImageOptions& options);

// The file name the canonical loads: image{id}.png.
std::string sample_file_name(ImageId image_id);

// CRC-32 (ISO-HDLC, as PNG uses) and Adler-32 (as zlib uses), exposed for tests.
std::uint32_t png_crc32(std::span<const std::uint8_t> bytes);
std::uint32_t zlib_adler32(std::span<const std::uint8_t> bytes);

}  // namespace edgecache::net
