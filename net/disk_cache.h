#pragma once
// An edge's cache mirrored on disk under --data-dir, so a restarted edge serves what it held before without
// asking the origin. The mirroring itself is core's DiskMirror (core/disk_mirror.h): one file per image,
// named {id}.{checksum as 16 hex digits}.img, checked against its checksum at start-up, with a degraded state
// when writes fail and a bound on the writes waiting. This class owns it together with the FileStorage it
// writes through and the open descriptors hits are sent from, and logs what the mirror reports.
//
// Writes leave the event loop: FileStorage hands them to a background writer thread (net/file_storage.h),
// and the loop never blocks on the disk, however slow or full it is. An image counts as on disk only once
// its write is durable; until then hits are sent from memory. The files are read back, synchronously, only
// by load(), before the edge starts.
//
// The same files serve cache hits without a copy: body_file() hands out an open descriptor on an image's
// file for the HTTP session to send with sendfile(2) (net/body_files.h). The descriptors are kept here,
// beside the files, and an eviction lets go of the image's descriptor at once.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/disk_mirror.h"
#include "core/edge.h"
#include "core/lru_cache.h"
#include "net/body_files.h"
#include "net/disk_cache_status.h"
#include "net/file_storage.h"
#include "net/log.h"

namespace edgecache::net {

class DiskCache final : public CacheListener {
 public:
  // `context` and `logger` must outlive the object; `context` runs on the thread that uses it, and write
  // completions run there. Nothing touches the disk until load().
  DiskCache(std::string directory, boost::asio::io_context& context, Logger& logger);

  // Creates the directory if needed and loads every valid image file into `cache`, oldest first so that the
  // newest end up most recently used; invalid files and files that no longer fit the budget are deleted.
  // Returns a sentence naming --data-dir saying why the directory cannot be used, or nothing.
  std::optional<std::string> load(LruCache& cache);

  // The ids load() inserted into the cache, in insertion order (some may have been evicted by later ones).
  // Inserting the same bodies in this order into an empty cache of the same budget rebuilds the same cache,
  // which is how a node trace lets a replay start where the daemon started.
  const std::vector<ImageId>& load_order() const { return mirror_.load_order(); }

  // Passes the change on to the mirror. An image cached while the writer already holds
  // max_queued_disk_writes writes is not mirrored (counted in writes_skipped), as the mirror itself does
  // with max_pending_disk_writes.
  void on_cached(ImageId image_id, const Body& body) override;
  void on_evicted(ImageId image_id) override;

  // Returns an open descriptor on the file holding `body`, image `image_id`'s cached bytes, to send instead
  // of the bytes in memory; it stays valid for as long as the caller holds it, even if the image is evicted
  // meanwhile. Returns nothing when copying is the better or the only choice: a body smaller than
  // min_sendfile_body_bytes, no durable file for these bytes (a write pending or failed, another checksum),
  // or a file that cannot be opened or has another size.
  std::shared_ptr<const BodyFile> body_file(ImageId image_id, const Body& body);

  // The mirror's counters, with writes_skipped also counting the images on_cached did not pass on.
  DiskMirrorCounters counters() const;
  DiskCacheStatus status() const;
  // Disk operations asked for whose completion has not run yet; zero once the disk holds everything.
  std::size_t unfinished_operations() const { return storage_.unfinished_operations(); }

 private:
  void log_notice(const DiskNotice& notice);

  Logger& logger_;
  // Declared before the mirror, so it is destroyed after it: the mirror never outlives its storage.
  FileStorage storage_;
  DiskMirror mirror_;
  BodyFiles body_files_;  // Open descriptors on some of the mirror's files, for sendfile.
  std::uint64_t writes_skipped_queue_full_ = 0;
};

}  // namespace edgecache::net
