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

 private:
  std::map<ImageId, Body> images_;
};

// A deterministic catalog of `image_count` images with ids 0..image_count-1, whose sizes follow a log-normal
// distribution clamped to [min_size_bytes, max_size_bytes] and whose contents are derived from the id and the
// seed. Only sizes and checksums are kept (16 bytes an image); bodies are generated on demand, so a large run
// does not hold gigabytes.
struct SyntheticCatalogOptions {
  std::uint64_t seed = 1;
  std::uint64_t image_count = 1000;
  std::uint64_t min_size_bytes = 1024;
  std::uint64_t max_size_bytes = 1024 * 1024;
  std::uint64_t median_size_bytes = 32 * 1024;
};

class SyntheticCatalog final : public Catalog {
 public:
  explicit SyntheticCatalog(const SyntheticCatalogOptions& options);

  std::optional<ImageInfo> info(ImageId id) const override;
  Body body(ImageId id) const override;
  std::uint64_t image_count() const { return options_.image_count; }

 private:
  std::vector<std::uint8_t> generate(ImageId id, std::uint64_t size_bytes) const;

  SyntheticCatalogOptions options_;
  std::vector<ImageInfo> infos_;
  // Bodies handed out that someone (an edge's cache, a message in flight) still holds. Serving one of those
  // again shares it instead of generating the same bytes anew; weak references cost no image memory, and
  // since the bytes are identical either way, behaviour does not depend on what is shared. Bounded by
  // pruning expired entries once there are max_remembered_bodies of them.
  static constexpr std::size_t max_remembered_bodies = 65536;
  mutable std::map<ImageId, std::weak_ptr<const ImageBytes>> handed_out_;
};

// Largest image the system accepts anywhere (catalog, cache, frame payload).
constexpr std::uint64_t max_image_bytes = 64ULL * 1024 * 1024;

}  // namespace edgecache
