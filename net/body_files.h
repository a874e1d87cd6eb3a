#pragma once
// Open, read-only descriptors on the disk cache's image files (net/disk_cache.h), so that a cache hit can be
// sent to the socket with sendfile(2) instead of being copied from the cached bytes in user memory. At
// 32 KiB that copy was the part of a hit nginx, which sends its files with sendfile, did not pay.
//
// Bounded: at most max_open_body_files descriptors stay open, the least recently used closed first. A
// descriptor handed out stays valid for as long as its holder keeps the BodyFile, even once this cache has
// let go of it or the file has been deleted (an evicted image whose response is still being sent): the
// kernel keeps an unlinked file's bytes for as long as a descriptor refers to it.
//
// Nothing here is ever needed for correctness. When a file cannot be opened (missing, EMFILE) or its size is
// not the body's, open() returns nothing and the caller sends the bytes it has in memory, as before.

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>

#include "core/types.h"

namespace edgecache::net {

// How many image files stay open at most. Each is one descriptor; the daemon raises its limit to the hard
// limit (usually far above max_http_connections plus this), and an open that fails anyway only means a copy.
constexpr std::size_t max_open_body_files = 256;

// Bodies below this size are copied into the socket as before. A small body costs little to copy, while
// sending it from a file takes a second system call (the head, then sendfile); at 4 KiB the copy was cheaper
// (docs/performance.md, "HTTP").
constexpr std::uint64_t min_sendfile_body_bytes = 16 * 1024;

// One open, read-only file holding exactly one image's bytes. Closed when the last holder lets go.
class BodyFile {
 public:
  // Takes ownership of `descriptor`. REQUIRES: an open descriptor on a regular file of `size_bytes` bytes.
  BodyFile(int descriptor, std::uint64_t size_bytes) : descriptor_(descriptor), size_bytes_(size_bytes) {}
  ~BodyFile();
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;

  int descriptor() const { return descriptor_; }
  std::uint64_t size_bytes() const { return size_bytes_; }

 private:
  int descriptor_;
  std::uint64_t size_bytes_;
};

struct BodyFilesCounters {
  std::uint64_t opened = 0;      // Files opened and kept.
  std::uint64_t reused = 0;      // Handles given out from those already open.
  std::uint64_t closed_lru = 0;  // Handles let go to stay within max_open_files.
  std::uint64_t forgotten = 0;   // Handles let go because the file was deleted or replaced.
  std::uint64_t unusable = 0;    // Opens that failed or found a size other than the body's.
};

class BodyFiles {
 public:
  explicit BodyFiles(std::size_t max_open_files = max_open_body_files);

  // Returns an open handle on `path`, the file holding image `image_id` whose bytes have `checksum`: the one
  // kept from before if there is one for the same checksum, else one opened now and kept (closing the least
  // recently used beyond max_open_files). Returns nothing, and keeps nothing, if the file cannot be opened or
  // is not a regular file of exactly `size_bytes` bytes.
  std::shared_ptr<const BodyFile> open(ImageId image_id, std::uint64_t checksum, const std::string& path,
                                       std::uint64_t size_bytes);

  // Lets go of the handle kept for `image_id`, whose file is being deleted or replaced. Handles already
  // given out stay valid. Nothing happens if none is kept.
  void forget(ImageId image_id);

  // How many handles are kept (each an open descriptor unless a holder also has it).
  std::size_t kept_count() const { return by_image_.size(); }
  const BodyFilesCounters& counters() const { return counters_; }

 private:
  struct Kept {
    ImageId image_id;
    std::uint64_t checksum;
    std::shared_ptr<const BodyFile> file;
  };

  std::size_t max_open_files_;
  std::list<Kept> recency_;  // Most recently used first.
  std::map<ImageId, std::list<Kept>::iterator> by_image_;
  BodyFilesCounters counters_;
};

}  // namespace edgecache::net
