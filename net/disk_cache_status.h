#pragma once
// What an edge's disk cache says about itself in /status and /metrics (net/http_handlers.cpp): a plain
// snapshot, so the HTTP side needs neither the cache nor its writer thread.

#include <cstddef>
#include <string>

#include "core/disk_mirror.h"
#include "net/body_files.h"

namespace edgecache::net {

struct DiskCacheStatus {
  bool degraded = false;        // A write failed; images stay cached in memory, and only probes go to disk.
  std::string degraded_reason;  // The failed write's StorageError name ("no_space", "io_error"), or empty.
  std::size_t pending_writes = 0;  // Writes of cached images the mirror waits on.
  std::size_t queued_writes = 0;   // Writes the background writer holds, also those of images since evicted.
  std::size_t files = 0;           // Durable files holding cached images.
  // The mirror's counters; writes_skipped also counts images not mirrored because the writer's queue was full.
  DiskMirrorCounters counters;
  BodyFilesCounters body_files;
};

}  // namespace edgecache::net
