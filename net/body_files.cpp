#include "net/body_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/assert.h"

namespace edgecache::net {

BodyFile::~BodyFile() { ::close(descriptor_); }

BodyFiles::BodyFiles(std::size_t max_open_files) : max_open_files_(max_open_files) {
  EC_ASSERT(max_open_files_ > 0, "BodyFiles must be able to keep at least one file open");
}

std::shared_ptr<const BodyFile> BodyFiles::open(ImageId image_id, std::uint64_t checksum, const std::string& path,
                                                std::uint64_t size_bytes) {
  auto found = by_image_.find(image_id);
  if (found != by_image_.end()) {
    if (found->second->checksum == checksum && found->second->file->size_bytes() == size_bytes) {
      recency_.splice(recency_.begin(), recency_, found->second);
      ++counters_.reused;
      return found->second->file;
    }
    forget(image_id);  // A handle on other bytes than the caller's: theirs is the newer image.
  }

  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) {
    ++counters_.unusable;
    return nullptr;
  }
  // The size the response's Content-Length promises must be the size sendfile finds; a file that is not
  // the body (truncated, replaced behind our back) is left alone and the body copied from memory.
  struct stat status {};
  if (::fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode) ||
      static_cast<std::uint64_t>(status.st_size) != size_bytes) {
    ::close(descriptor);
    ++counters_.unusable;
    return nullptr;
  }
  auto file = std::make_shared<const BodyFile>(descriptor, size_bytes);
  recency_.push_front({image_id, checksum, file});
  by_image_[image_id] = recency_.begin();
  ++counters_.opened;
  while (by_image_.size() > max_open_files_) {
    by_image_.erase(recency_.back().image_id);
    recency_.pop_back();
    ++counters_.closed_lru;
  }
  return file;
}

void BodyFiles::forget(ImageId image_id) {
  auto found = by_image_.find(image_id);
  if (found == by_image_.end()) return;
  recency_.erase(found->second);
  by_image_.erase(found);
  ++counters_.forgotten;
}

}  // namespace edgecache::net
