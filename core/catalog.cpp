#include "core/catalog.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "core/assert.h"
#include "core/mix64.h"

namespace edgecache {

namespace {

// Spread of the image size distribution, as the standard deviation of ln(size). With the default 32 KiB
// median, a sigma of 1.0 puts about 95% of images between 4.5 KiB and 230 KiB, a plausible mix for photos,
// and only a few in ten thousand at the default clamps.
constexpr double size_sigma_natural_log = 1.0;

// An image's size and its bytes come from separate streams, so changing the size rule never changes contents.
constexpr std::uint64_t size_stream_tag = 0x5172E5172E5172E5ULL;
constexpr std::uint64_t content_stream_tag = 0xC0717E7C0717E7C0ULL;

// The normal draw sums this many uniform draws (Irwin-Hall). Twelve uniforms have variance exactly one and the
// sum needs only additions, which keeps libm out of it (Box-Muller would need log and cos); only the final
// exp comes from libm.
constexpr int normal_uniform_count = 12;

constexpr std::uint64_t splitmix64_increment = 0x9E3779B97F4A7C15ULL;

// splitmix64: small, fast, and the same on every platform, which is all synthetic contents need.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    state_ += splitmix64_increment;
    return mix64(state_);
  }

  // Returns a uniform double in [0, 1) from the top 53 bits, which is every value a double can step by.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

// Each (seed, image, purpose) gets its own stream, so an image's size and bytes do not depend on the catalog's
// image count or on which images were generated before it.
std::uint64_t stream_seed(std::uint64_t seed, ImageId id, std::uint64_t tag) {
  return mix64(mix64(seed ^ tag) + id);
}

std::uint64_t synthetic_size(const SyntheticCatalogOptions& options, ImageId id) {
  SplitMix64 random(stream_seed(options.seed, id, size_stream_tag));
  double normal = 0;
  for (int draw = 0; draw < normal_uniform_count; ++draw) normal += random.unit();
  normal -= normal_uniform_count / 2.0;
  const double unclamped = static_cast<double>(options.median_size_bytes) * std::exp(size_sigma_natural_log * normal);
  const double clamped = std::clamp(unclamped, static_cast<double>(options.min_size_bytes),
                                    static_cast<double>(options.max_size_bytes));
  // Rounding can step just past a bound that a double cannot represent exactly, so clamp again as integers.
  const auto size_bytes = static_cast<std::uint64_t>(std::llround(clamped));
  return std::clamp(size_bytes, options.min_size_bytes, options.max_size_bytes);
}

}  // namespace

void MemoryCatalog::add(ImageId id, Body body) {
  EC_ASSERT(body != nullptr, "MemoryCatalog::add needs a body");
  EC_ASSERT(body->size() <= max_image_bytes, "catalog image exceeds max_image_bytes");
  const bool inserted = images_.emplace(id, std::move(body)).second;
  EC_ASSERT(inserted, "MemoryCatalog::add called twice for one image id");
}

std::vector<ImageId> MemoryCatalog::ids() const {
  std::vector<ImageId> ids;
  ids.reserve(images_.size());
  for (const auto& [id, body] : images_) ids.push_back(id);
  return ids;
}

std::optional<ImageInfo> MemoryCatalog::info(ImageId id) const {
  const auto found = images_.find(id);
  if (found == images_.end()) return std::nullopt;
  return ImageInfo{found->second->size(), found->second->checksum()};
}

Body MemoryCatalog::body(ImageId id) const {
  const auto found = images_.find(id);
  if (found == images_.end()) return nullptr;
  return found->second;
}

SyntheticCatalog::SyntheticCatalog(const SyntheticCatalogOptions& options) : options_(options) {
  EC_ASSERT(options.min_size_bytes <= options.median_size_bytes, "synthetic catalog median below its minimum");
  EC_ASSERT(options.median_size_bytes <= options.max_size_bytes, "synthetic catalog median above its maximum");
  EC_ASSERT(options.max_size_bytes <= max_image_bytes, "synthetic catalog maximum exceeds max_image_bytes");
  sizes_.reserve(options.image_count);
  for (ImageId id = 0; id < options.image_count; ++id) {
    sizes_.push_back(synthetic_size(options, id));
    total_bytes_ += sizes_.back();
  }
  checksums_.assign(options.image_count, 0);
  has_checksum_.assign(options.image_count, 0);
}

void SyntheticCatalog::compute_checksums(ImageId begin, ImageId end) {
  EC_ASSERT(begin <= end && end <= options_.image_count, "checksum range outside the catalog");
  for (ImageId id = begin; id < end; ++id) info(id);
}

std::optional<ImageInfo> SyntheticCatalog::info(ImageId id) const {
  if (id >= options_.image_count) return std::nullopt;
  if (has_checksum_[id] == 0) {
    // Word i of the contents is the (i+1)-th splitmix64 draw, so the checksum is computed from the draws
    // directly, without writing the bytes anywhere (generate() below stores the very same words).
    const std::uint64_t size_bytes = sizes_[id];
    const std::uint64_t seed = content_seed(id);
    checksums_[id] = checksum_of_words(size_bytes, [&](std::uint64_t index) {
      return mix64(seed + (index + 1) * splitmix64_increment);
    });
    has_checksum_[id] = 1;
  }
  return ImageInfo{sizes_[id], checksums_[id]};
}

Body SyntheticCatalog::body(ImageId id) const {
  const std::optional<ImageInfo> known = info(id);
  if (!known) return nullptr;
  // The generator holds only values, so a body outlives the catalog safely.
  const std::uint64_t seed = content_seed(id);
  return std::make_shared<const ImageBytes>(known->size_bytes, known->checksum,
                                            [seed](std::span<std::uint8_t> out) { generate(seed, out); });
}

std::uint64_t SyntheticCatalog::content_seed(ImageId id) const {
  return stream_seed(options_.seed, id, content_stream_tag);
}

void SyntheticCatalog::generate(std::uint64_t content_seed, std::span<std::uint8_t> out) {
  SplitMix64 random(content_seed);
  // Eight bytes per draw, lowest first, so the contents are the same on every host. Whole words are stored
  // at once, since a sweep hashes hundreds of megabytes of images.
  const std::size_t whole_words = out.size() / 8;
  for (std::size_t word_index = 0; word_index < whole_words; ++word_index) {
    std::uint64_t word = random.next();
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    std::memcpy(out.data() + word_index * 8, &word, sizeof word);
  }
  const std::uint64_t last_word = random.next();
  for (std::size_t index = whole_words * 8; index < out.size(); ++index) {
    out[index] = static_cast<std::uint8_t>(last_word >> (8 * (index % 8)));
  }
}

}  // namespace edgecache
