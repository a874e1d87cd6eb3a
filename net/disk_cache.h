#pragma once
// An edge's cache mirrored on disk under --data-dir, so a restarted edge serves what it held before without
// asking the origin. One file per image, named {id}.{checksum as 16 hex digits}.img and written through a
// temporary file renamed into place, so a crash never leaves a half-written image under a valid name. At
// start-up every file is read back and its bytes checked against the checksum in its name; a corrupt,
// truncated or misnamed file is deleted and logged, never served. The in-memory LruCache stays the authority:
// this class only follows its changes (core's CacheListener) and fills it once before the edge starts.
//
// Writes happen on the daemon's single thread, inside the edge's event handler. Images are at most
// max_image_bytes, so one write costs milliseconds at worst; the simplicity is worth that for now.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/edge.h"
#include "core/lru_cache.h"
#include "net/log.h"

namespace edgecache::net {

struct DiskCacheCounters {
  std::uint64_t loaded = 0;           // Images read back at start-up.
  std::uint64_t dropped_corrupt = 0;  // Files deleted at start-up for a bad name, size or checksum.
  std::uint64_t dropped_over_budget = 0;  // Files deleted at start-up because the budget had shrunk.
  std::uint64_t written = 0;
  std::uint64_t write_failures = 0;
  std::uint64_t removed = 0;
};

class DiskCache final : public CacheListener {
 public:
  // `logger` must outlive the object. Nothing touches the disk until load().
  DiskCache(std::string directory, Logger& logger);

  // Creates the directory if needed and loads every valid image file into `cache`, oldest first so that the
  // newest end up most recently used; files that no longer fit the budget are deleted. Returns a sentence
  // saying why the directory cannot be used, or nothing.
  std::optional<std::string> load(LruCache& cache);

  // The ids load() inserted into the cache, in insertion order (some may have been evicted by later ones).
  // Inserting the same bodies in this order into an empty cache of the same budget rebuilds the same cache,
  // which is how a node trace lets a replay start where the daemon started.
  const std::vector<ImageId>& load_order() const { return load_order_; }

  void on_cached(ImageId image_id, const Body& body) override;
  void on_evicted(ImageId image_id) override;

  const DiskCacheCounters& counters() const { return counters_; }

 private:
  void remove_file(ImageId image_id);

  std::string directory_;
  std::vector<ImageId> load_order_;
  Logger& logger_;
  std::map<ImageId, std::string> files_;  // The file holding each cached image.
  DiskCacheCounters counters_;
};

}  // namespace edgecache::net
