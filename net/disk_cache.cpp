#include "net/disk_cache.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <vector>

#include "core/catalog.h"
#include "core/hex.h"
#include "core/parse_number.h"

namespace edgecache::net {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view image_file_extension = ".img";
constexpr std::string_view temporary_file_marker = ".tmp";
constexpr std::size_t checksum_hex_digits = 16;

std::string file_name(ImageId image_id, std::uint64_t checksum) {
  return std::to_string(image_id) + "." + hex64(checksum) + std::string(image_file_extension);
}

// Parses {id}.{16 hex digits}.img; nothing for any other name.
std::optional<std::pair<ImageId, std::uint64_t>> parse_file_name(std::string_view name) {
  if (name.size() <= image_file_extension.size() || !name.ends_with(image_file_extension)) return std::nullopt;
  name.remove_suffix(image_file_extension.size());
  const auto dot = name.find('.');
  if (dot == std::string_view::npos || name.size() - dot - 1 != checksum_hex_digits) return std::nullopt;
  const std::optional<std::uint64_t> image_id = parse_decimal(name.substr(0, dot));
  const std::optional<std::uint64_t> checksum = parse_hex64(name.substr(dot + 1));
  if (!image_id || !checksum) return std::nullopt;
  return std::make_pair(ImageId{*image_id}, *checksum);
}

std::optional<std::vector<std::uint8_t>> read_whole_file(const fs::path& path, std::uintmax_t size_bytes) {
  std::ifstream file(path, std::ios::binary);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size_bytes));
  file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file || file.gcount() != static_cast<std::streamsize>(bytes.size())) return std::nullopt;
  return bytes;
}

}  // namespace

DiskCache::DiskCache(std::string directory, Logger& logger) : directory_(std::move(directory)), logger_(logger) {}

std::optional<std::string> DiskCache::load(LruCache& cache) {
  std::error_code error;
  fs::create_directories(directory_, error);
  if (error || !fs::is_directory(directory_, error)) {
    return "--data-dir: cannot create or use '" + directory_ + "'" + (error ? ": " + error.message() : "");
  }
  struct Candidate {
    fs::file_time_type written;
    ImageId image_id;
    std::uint64_t checksum;
    fs::path path;
    std::uintmax_t size_bytes;
  };
  std::vector<Candidate> candidates;
  auto drop = [&](const fs::path& path, const std::string& reason) {
    ++counters_.dropped_corrupt;
    logger_.warn("disk_cache_file_dropped", {{"path", path.string()}, {"reason", reason}});
    std::error_code ignored;
    fs::remove(path, ignored);
  };
  for (fs::directory_iterator entry(directory_, error), end; !error && entry != end; entry.increment(error)) {
    const fs::path path = entry->path();
    const std::string name = path.filename().string();
    if (name.find(temporary_file_marker) != std::string::npos) {
      drop(path, "unfinished write from an earlier run");
      continue;
    }
    const auto parsed = parse_file_name(name);
    if (!parsed) {
      drop(path, "not a cache file name");
      continue;
    }
    std::error_code stat_error;
    const std::uintmax_t size_bytes = fs::file_size(path, stat_error);
    const fs::file_time_type written = fs::last_write_time(path, stat_error);
    if (stat_error || size_bytes == 0 || size_bytes > max_image_bytes) {
      drop(path, stat_error ? stat_error.message() : "size outside 1..max_image_bytes");
      continue;
    }
    candidates.push_back({written, parsed->first, parsed->second, path, size_bytes});
  }
  if (error) return "--data-dir: cannot list '" + directory_ + "': " + error.message();

  // Oldest first, ties by id, so the load order (and thus which files an over-full budget drops) is the same
  // on every run over the same directory.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& left, const Candidate& right) {
    return std::tie(left.written, left.image_id) < std::tie(right.written, right.image_id);
  });
  for (const Candidate& candidate : candidates) {
    const auto bytes = read_whole_file(candidate.path, candidate.size_bytes);
    if (!bytes) {
      drop(candidate.path, "read failed");
      continue;
    }
    Body body = make_body(*bytes);
    if (body->checksum() != candidate.checksum) {
      drop(candidate.path, "checksum mismatch");
      continue;
    }
    if (files_.count(candidate.image_id) != 0) {
      // Two files for one image (a crash between writing the new and removing the old): keep the newer.
      remove_file(candidate.image_id);
    }
    const LruCache::InsertResult result = cache.insert(candidate.image_id, body);
    load_order_.push_back(candidate.image_id);
    for (const ImageId evicted : result.evicted) {
      ++counters_.dropped_over_budget;
      remove_file(evicted);
    }
    if (!result.stored) {
      ++counters_.dropped_over_budget;
      std::error_code ignored;
      fs::remove(candidate.path, ignored);
      continue;
    }
    files_[candidate.image_id] = {candidate.path.string(), candidate.checksum};
    ++counters_.loaded;
  }
  logger_.info("disk_cache_loaded", {{"data_dir", directory_},
                                     {"images", counters_.loaded},
                                     {"bytes", cache.bytes_used()},
                                     {"dropped_corrupt", counters_.dropped_corrupt},
                                     {"dropped_over_budget", counters_.dropped_over_budget}});
  return std::nullopt;
}

void DiskCache::on_cached(ImageId image_id, const Body& body) {
  const std::string path = (fs::path(directory_) / file_name(image_id, body->checksum())).string();
  auto existing = files_.find(image_id);
  if (existing != files_.end() && existing->second.path == path) return;  // A refresh of what is already on disk.
  const std::string temporary = path + std::string(temporary_file_marker) + "." + std::to_string(::getpid());
  bool written = false;
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(body->bytes().data()), static_cast<std::streamsize>(body->size()));
    file.flush();
    written = static_cast<bool>(file);
  }
  std::error_code error;
  if (written) fs::rename(temporary, path, error);
  if (!written || error) {
    // The image stays cached in memory; only its survival across a restart is lost.
    ++counters_.write_failures;
    logger_.warn("disk_cache_write_failed", {{"path", path}, {"reason", error ? error.message() : "write failed"}});
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return;
  }
  if (existing != files_.end()) remove_file(image_id);
  files_[image_id] = {path, body->checksum()};
  ++counters_.written;
}

void DiskCache::on_evicted(ImageId image_id) { remove_file(image_id); }

std::shared_ptr<const BodyFile> DiskCache::body_file(ImageId image_id, const Body& body) {
  if (body->size() < min_sendfile_body_bytes) return nullptr;
  auto found = files_.find(image_id);
  // A file with another checksum holds other bytes: the write of these failed and left the old file.
  if (found == files_.end() || found->second.checksum != body->checksum()) return nullptr;
  return body_files_.open(image_id, found->second.checksum, found->second.path, body->size());
}

void DiskCache::remove_file(ImageId image_id) {
  auto found = files_.find(image_id);
  if (found == files_.end()) return;
  // A response still sending the file holds its own descriptor, which stays valid after the unlink.
  body_files_.forget(image_id);
  std::error_code error;
  fs::remove(found->second.path, error);
  if (error) logger_.warn("disk_cache_remove_failed", {{"path", found->second.path}, {"reason", error.message()}});
  ++counters_.removed;
  files_.erase(found);
}

}  // namespace edgecache::net
