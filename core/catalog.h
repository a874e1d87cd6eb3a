#pragma once
// The canonical server's images. A catalog is immutable once built, so every incarnation of the canonical
// node (and every checker) can share one.

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/image_bytes.h"
#include "core/types.h"

namespace edgecache {

struct ImageInfo {
  std::uint64_t size_bytes = 0;
  std::uint64_t checksum = 0;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Returns the size and checksum of image `id`, or nothing if the catalog has no such image. Cheap.
  virtual std::optional<ImageInfo> info(ImageId id) const = 0;

  // Returns the bytes of image `id`, or nothing if the catalog has no such image. May cost O(size).
  virtual Body body(ImageId id) const = 0;
};

// A catalog held in memory, for tests and for the real canonical server (which loads it from disk in net/).
class MemoryCatalog final : public Catalog {
 public:
  // REQUIRES: `id` not added before.
  void add(ImageId id, Body body);

  std::optional<ImageInfo> info(ImageId id) const override;
  Body body(ImageId id) const override;
  std::size_t image_count() const { return images_.size(); }
  // Every image id, ascending.
  std::vector<ImageId> ids() const;

 private:
  std::map<ImageId, Body> images_;
};

// A deterministic catalog of `image_count` images with ids 0..image_count-1, whose sizes follow a log-normal
// distribution clamped to [min_size_bytes, max_size_bytes] and whose contents are derived from the id and the
// seed. Only sizes and checksums are kept (16 bytes an image). An image's checksum is computed the first time
// the image is asked for, and its bodies are deferred (see ImageBytes): their bytes are made only if read.
// So a run costs one pass over the bytes of each image it touches, and holds none of them.
struct SyntheticCatalogOptions {
  std::uint64_t seed = 1;
  std::uint64_t image_count = 1000;
  std::uint64_t min_size_bytes = 1024;
  std::uint64_t max_size_bytes = 1024 * 1024;
  std::uint64_t median_size_bytes = 32 * 1024;

  friend bool operator==(const SyntheticCatalogOptions&, const SyntheticCatalogOptions&) = default;
};

class SyntheticCatalog final : public Catalog {
 public:
  explicit SyntheticCatalog(const SyntheticCatalogOptions& options);

  // Cheap, but for the first call for each image, which hashes its bytes once.
  std::optional<ImageInfo> info(ImageId id) const override;
  Body body(ImageId id) const override;
  std::uint64_t image_count() const { return options_.image_count; }
  const SyntheticCatalogOptions& options() const { return options_; }
  // The sum of every image's size.
  std::uint64_t total_bytes() const { return total_bytes_; }

  // Computes the checksums of images [begin, end) now. Calls for disjoint ranges touch disjoint memory, so
  // they may run at the same time; once every checksum is computed nothing in the catalog changes any more,
  // and the catalog can be shared by runs on several threads (a sweep's runs share one).
  // REQUIRES: begin <= end <= image_count().
  void compute_checksums(ImageId begin, ImageId end);

 private:
  // Writes image `id`'s bytes into `out`, whose size is the image's.
  static void generate(std::uint64_t content_seed, std::span<std::uint8_t> out);
  std::uint64_t content_seed(ImageId id) const;

  SyntheticCatalogOptions options_;
  std::vector<std::uint64_t> sizes_;
  std::uint64_t total_bytes_ = 0;
  // Checksums computed so far; has_checksum_ says which.
  mutable std::vector<std::uint64_t> checksums_;
  mutable std::vector<std::uint8_t> has_checksum_;  // Bytes, not bits, so disjoint ranges share no memory.
};

// Largest image the system accepts anywhere (catalog, cache, frame payload).
constexpr std::uint64_t max_image_bytes = 64ULL * 1024 * 1024;

}  // namespace edgecache
