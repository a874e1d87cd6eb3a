#include "net/disk_cache.h"

namespace edgecache::net {

// The writer's bound is checked first only when evicted images' writes fill it: while every queued write
// belongs to a cached image, the mirror's own bound is reached no later.
static_assert(max_queued_disk_writes >= max_pending_disk_writes);

DiskCache::DiskCache(std::string directory, boost::asio::io_context& context, Logger& logger)
    : logger_(logger),
      storage_(std::move(directory), context, logger),
      mirror_(storage_, [this](const DiskNotice& notice) { log_notice(notice); }) {}

std::optional<std::string> DiskCache::load(LruCache& cache) {
  if (auto error = storage_.open()) return error;
  mirror_.load(cache);
  const DiskMirrorCounters& counters = mirror_.counters();
  logger_.info("disk_cache_loaded", {{"data_dir", storage_.directory()},
                                     {"images", counters.loaded},
                                     {"bytes", cache.bytes_used()},
                                     {"dropped_corrupt", counters.dropped_corrupt},
                                     {"dropped_over_budget", counters.dropped_over_budget}});
  return std::nullopt;
}

void DiskCache::log_notice(const DiskNotice& notice) {
  switch (notice.kind) {
    case DiskNotice::Kind::dropped:
      logger_.warn("disk_cache_file_dropped", {{"path", storage_.path_of(notice.name)}, {"reason", notice.reason}});
      return;
    case DiskNotice::Kind::write_failed:
      // FileStorage has logged this failure already, with the path and the system's own words for it.
      return;
    case DiskNotice::Kind::degraded:
      logger_.warn("disk_cache_degraded", {{"reason", notice.reason}, {"path", storage_.path_of(notice.name)}});
      return;
    case DiskNotice::Kind::recovered:
      logger_.info("disk_cache_recovered", {{"path", storage_.path_of(notice.name)}});
      return;
  }
}

void DiskCache::on_cached(ImageId image_id, const Body& body) {
  if (storage_.queued_writes() >= max_queued_disk_writes) {
    ++writes_skipped_queue_full_;
    return;
  }
  mirror_.on_cached(image_id, body);
}

void DiskCache::on_evicted(ImageId image_id) {
  // A response still sending the file holds its own descriptor, which stays valid after the unlink.
  body_files_.forget(image_id);
  mirror_.on_evicted(image_id);
}

std::shared_ptr<const BodyFile> DiskCache::body_file(ImageId image_id, const Body& body) {
  if (body->size() < min_sendfile_body_bytes) return nullptr;
  const std::optional<std::string> name = mirror_.file_for(image_id, body->checksum());
  if (!name) return nullptr;
  return body_files_.open(image_id, body->checksum(), storage_.path_of(*name), body->size());
}

DiskMirrorCounters DiskCache::counters() const {
  DiskMirrorCounters counters = mirror_.counters();
  counters.writes_skipped += writes_skipped_queue_full_;
  return counters;
}

DiskCacheStatus DiskCache::status() const {
  return DiskCacheStatus{mirror_.degraded(),     mirror_.degraded_reason(), mirror_.pending_writes(),
                         storage_.queued_writes(), mirror_.files(),         counters(),
                         body_files_.counters()};
}

}  // namespace edgecache::net
