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
//
// The same files serve cache hits without a copy: body_file() hands out an open descriptor on an image's
// file for the HTTP session to send with sendfile(2) (net/body_files.h). The descriptors are kept here,
// beside the files, so that deleting or replacing a file and letting go of its descriptor are one step.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/edge.h"
#include "core/lru_cache.h"
#include "net/body_files.h"
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

  // Returns an open descriptor on the file holding `body`, image `image_id`'s cached bytes, to send instead
  // of the bytes in memory; it stays valid for as long as the caller holds it, even if the image is evicted
  // meanwhile. Returns nothing when copying is the better or the only choice: a body smaller than
  // min_sendfile_body_bytes, no file on disk for these bytes (a failed write, another checksum), or a file
  // that cannot be opened or has another size.
  std::shared_ptr<const BodyFile> body_file(ImageId image_id, const Body& body);

  const DiskCacheCounters& counters() const { return counters_; }
  const BodyFilesCounters& body_file_counters() const { return body_files_.counters(); }

 private:
  struct ImageFile {
    std::string path;
    std::uint64_t checksum = 0;  // Of the bytes in the file, as in its name.
  };

  void remove_file(ImageId image_id);

  std::string directory_;
  std::vector<ImageId> load_order_;
  Logger& logger_;
  std::map<ImageId, ImageFile> files_;  // The file holding each cached image.
  BodyFiles body_files_;  // Open descriptors on some of files_, for sendfile.
  DiskCacheCounters counters_;
};

}  // namespace edgecache::net
