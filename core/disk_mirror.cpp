#include "core/disk_mirror.h"

#include <algorithm>
#include <tuple>

#include "core/assert.h"
#include "core/catalog.h"
#include "core/hex.h"
#include "core/parse_number.h"

namespace edgecache {

namespace {

constexpr std::string_view image_file_extension = ".img";
constexpr std::size_t checksum_hex_digits = 16;

}  // namespace

const char* storage_error_name(StorageError error) {
  switch (error) {
    case StorageError::none: return "none";
    case StorageError::no_space: return "no_space";
    case StorageError::io_error: return "io_error";
  }
  return "unknown";
}

const char* disk_notice_kind_name(DiskNotice::Kind kind) {
  switch (kind) {
    case DiskNotice::Kind::dropped: return "dropped";
    case DiskNotice::Kind::write_failed: return "write_failed";
    case DiskNotice::Kind::degraded: return "degraded";
    case DiskNotice::Kind::recovered: return "recovered";
  }
  return "unknown";
}

std::string disk_file_name(ImageId image_id, std::uint64_t checksum) {
  return std::to_string(image_id) + "." + hex64(checksum) + std::string(image_file_extension);
}

std::optional<std::pair<ImageId, std::uint64_t>> parse_disk_file_name(std::string_view name) {
  if (name.size() <= image_file_extension.size() || !name.ends_with(image_file_extension)) return std::nullopt;
  name.remove_suffix(image_file_extension.size());
  const auto dot = name.find('.');
  if (dot == std::string_view::npos || name.size() - dot - 1 != checksum_hex_digits) return std::nullopt;
  const std::optional<std::uint64_t> image_id = parse_decimal(name.substr(0, dot));
  const std::optional<std::uint64_t> checksum = parse_hex64(name.substr(dot + 1));
  if (!image_id || !checksum) return std::nullopt;
  return std::make_pair(ImageId{*image_id}, *checksum);
}

DiskMirror::DiskMirror(Storage& storage, NoticeHandler on_notice, bool verify_on_load)
    : storage_(storage), on_notice_(std::move(on_notice)), verify_on_load_(verify_on_load) {}

void DiskMirror::notify(DiskNotice::Kind kind, std::string name, std::string reason) {
  if (on_notice_) on_notice_(DiskNotice{kind, std::move(name), std::move(reason)});
}

void DiskMirror::load(LruCache& cache) {
  struct Candidate {
    std::int64_t written_order = 0;
    ImageId image_id = 0;
    std::uint64_t checksum = 0;
    std::string name;
  };
  std::vector<Candidate> candidates;
  auto drop = [&](const std::string& name, std::string reason) {
    ++counters_.dropped_corrupt;
    storage_.remove(name);
    notify(DiskNotice::Kind::dropped, name, std::move(reason));
  };
  for (const StoredFile& file : storage_.list()) {
    const auto parsed = parse_disk_file_name(file.name);
    if (!parsed) {
      drop(file.name, "not a cache file name");
    } else if (file.size_bytes == 0 || file.size_bytes > max_image_bytes) {
      drop(file.name, "size outside 1..max_image_bytes");
    } else {
      candidates.push_back({file.written_order, parsed->first, parsed->second, file.name});
    }
  }
  // Oldest first, ties by id and then name, so the load order (and thus which files an over-full budget
  // drops) is the same on every run over the same files, whatever order the storage listed them in.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& left, const Candidate& right) {
    return std::tie(left.written_order, left.image_id, left.name) <
           std::tie(right.written_order, right.image_id, right.name);
  });
  for (const Candidate& candidate : candidates) {
    StoredRead read = storage_.read(candidate.name);
    if (!read.body) {
      drop(candidate.name, "read failed: " + read.error);
      continue;
    }
    if (verify_on_load_ && read.body->checksum() != candidate.checksum) {
      drop(candidate.name, "checksum mismatch");
      continue;
    }
    // Two files for one image (a crash between writing the new and removing the old): keep the newer.
    if (files_.count(candidate.image_id) != 0) remove_file(candidate.image_id);
    const LruCache::InsertResult result = cache.insert(candidate.image_id, read.body);
    load_order_.push_back(candidate.image_id);
    for (const ImageId evicted : result.evicted) {
      ++counters_.dropped_over_budget;
      remove_file(evicted);
    }
    if (!result.stored) {
      ++counters_.dropped_over_budget;
      storage_.remove(candidate.name);
      continue;
    }
    files_[candidate.image_id] = {candidate.name, read.body->checksum()};
    ++counters_.loaded;
  }
  // Over-budget evictions above counted files that had been loaded; they are no longer loaded.
  counters_.loaded = files_.size();
}

void DiskMirror::on_cached(ImageId image_id, const Body& body) {
  std::string name = disk_file_name(image_id, body->checksum());
  auto pending = pending_.find(image_id);
  if (pending != pending_.end() && pending->second.name == name) return;  // Already on its way.
  auto existing = files_.find(image_id);
  if (pending == pending_.end() && existing != files_.end() && existing->second.name == name) return;
  if (pending_.size() >= max_pending_disk_writes) {
    ++counters_.writes_skipped;
    return;
  }
  if (degraded_ && ++skipped_while_degraded_ % degraded_probe_interval_writes != 0) {
    ++counters_.writes_skipped;
    return;
  }
  start_write(image_id, body, std::move(name));
}

void DiskMirror::start_write(ImageId image_id, const Body& body, std::string name) {
  const std::uint64_t write = ++writes_started_;
  pending_[image_id] = Pending{write, name};
  const std::uint64_t checksum = body->checksum();
  storage_.write(name, body, [this, image_id, write, name, checksum](StorageError error) {
    on_written(image_id, write, name, checksum, error);
  });
}

void DiskMirror::on_written(ImageId image_id, std::uint64_t write, const std::string& name, std::uint64_t checksum,
                            StorageError error) {
  auto pending = pending_.find(image_id);
  const bool current = pending != pending_.end() && pending->second.write == write;
  if (current) pending_.erase(pending);
  if (error != StorageError::none) {
    ++counters_.write_failures;
    notify(DiskNotice::Kind::write_failed, name, storage_error_name(error));
    if (!degraded_) {
      degraded_ = true;
      degraded_reason_ = storage_error_name(error);
      skipped_while_degraded_ = 0;
      ++counters_.degraded_episodes;
      notify(DiskNotice::Kind::degraded, name, degraded_reason_);
    }
    return;
  }
  if (degraded_) {
    degraded_ = false;
    degraded_reason_.clear();
    notify(DiskNotice::Kind::recovered, name, "");
  }
  auto existing = files_.find(image_id);
  if (!current) {
    // The image was evicted, or cached again with other bytes, while this write was under way: what it
    // wrote belongs to nobody, unless it is the very file already recorded or a later write of the same
    // name is queued behind it (removing now would remove what that write lands, since storage keeps order).
    const bool recorded = existing != files_.end() && existing->second.name == name;
    const bool rewritten = pending != pending_.end() && pending->second.name == name;
    if (!recorded && !rewritten) storage_.remove(name);
    return;
  }
  if (existing != files_.end() && existing->second.name != name) remove_file(image_id);
  files_[image_id] = File{name, checksum};
  ++counters_.written;
}

void DiskMirror::on_evicted(ImageId image_id) {
  // A write still under way removes its own file when it completes and finds itself no longer current.
  pending_.erase(image_id);
  remove_file(image_id);
}

std::optional<std::string> DiskMirror::file_for(ImageId image_id, std::uint64_t checksum) const {
  auto found = files_.find(image_id);
  if (found == files_.end() || found->second.checksum != checksum) return std::nullopt;
  return found->second.name;
}

void DiskMirror::remove_file(ImageId image_id) {
  auto found = files_.find(image_id);
  if (found == files_.end()) return;
  storage_.remove(found->second.name);
  ++counters_.removed;
  files_.erase(found);
}

}  // namespace edgecache
