#pragma once
// An edge's cache mirrored on a Storage, so a restarted edge serves what it held before without asking the
// origin. One file per image, named {id}.{checksum as 16 hex digits}.img. At start-up every file is read
// back and its bytes checked against the checksum in its name; a torn, flipped, truncated or misnamed file
// is removed and reported, never loaded. The in-memory LruCache stays the authority: this class only follows
// its changes (it is the edge's CacheListener) and fills it once before the edge starts.
//
// The disk is a convenience, never a dependency. A write that fails (a full disk, an I/O error) puts the
// mirror in the degraded state: the edge goes on caching in memory and serving, and the mirror stops writing
// except for one probe write in every degraded_probe_interval_writes images cached; a probe that lands ends
// the degraded state. Writes waiting on a slow disk are bounded by max_pending_disk_writes; an image cached
// while that many wait is simply not mirrored.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/edge.h"
#include "core/lru_cache.h"
#include "core/storage.h"

namespace edgecache {

constexpr std::size_t max_pending_disk_writes = 32;
constexpr std::uint64_t degraded_probe_interval_writes = 16;

struct DiskMirrorCounters {
  std::uint64_t loaded = 0;               // Images read back at start-up.
  std::uint64_t dropped_corrupt = 0;      // Files removed at start-up for a bad name, size or checksum.
  std::uint64_t dropped_over_budget = 0;  // Files removed at start-up because the budget had shrunk.
  std::uint64_t written = 0;              // Writes that landed and hold a cached image.
  std::uint64_t write_failures = 0;
  std::uint64_t writes_skipped = 0;       // Images not mirrored: degraded, or too many writes pending.
  std::uint64_t removed = 0;              // Files removed because their image left the cache.
  std::uint64_t degraded_episodes = 0;    // Times the mirror went from healthy to degraded.
};

// Something worth a log line or a trace line.
struct DiskNotice {
  enum class Kind : std::uint8_t {
    dropped,       // A file was removed at start-up: `name`, `reason`.
    write_failed,  // A write failed: `name`, `reason` (the StorageError's name).
    degraded,      // The mirror stopped writing: `reason`.
    recovered,     // A probe write landed; the mirror writes again.
  };
  Kind kind = Kind::dropped;
  std::string name;
  std::string reason;
};
const char* disk_notice_kind_name(DiskNotice::Kind kind);

// The file name the mirror gives image `image_id` with bytes of checksum `checksum`.
std::string disk_file_name(ImageId image_id, std::uint64_t checksum);
// The image id and checksum a mirror file name carries; nothing for any other name.
std::optional<std::pair<ImageId, std::uint64_t>> parse_disk_file_name(std::string_view name);

class DiskMirror final : public CacheListener {
 public:
  using NoticeHandler = std::function<void(const DiskNotice&)>;

  // `storage` must outlive the mirror, and must not call back after the mirror is gone. `on_notice` may be
  // empty. Nothing touches the storage until load(). `verify_on_load` false makes load() trust every file
  // whose name parses, whatever its bytes: a deliberately broken mirror, which only the simulator's tests
  // build, to show that its checkers catch an edge that trusts its disk.
  explicit DiskMirror(Storage& storage, NoticeHandler on_notice = {}, bool verify_on_load = true);

  // Loads every valid file into `cache`, oldest first so that the newest end up most recently used; files
  // that are not valid, or no longer fit the budget, are removed. Call once, before the edge starts.
  void load(LruCache& cache);

  // The ids load() inserted into the cache, in insertion order (some may have been evicted by later ones).
  // Inserting the same bodies in this order into an empty cache of the same budget rebuilds the same cache,
  // which is how a node trace lets a replay start where the daemon started.
  const std::vector<ImageId>& load_order() const { return load_order_; }

  void on_cached(ImageId image_id, const Body& body) override;
  void on_evicted(ImageId image_id) override;

  // Returns the name of the durable file that holds image `image_id` with exactly the bytes of checksum
  // `checksum`, or nothing (never written, a write still pending or failed, another version on disk).
  std::optional<std::string> file_for(ImageId image_id, std::uint64_t checksum) const;

  bool degraded() const { return degraded_; }
  // Why the mirror is degraded (the failed write's error), or empty.
  const std::string& degraded_reason() const { return degraded_reason_; }
  std::size_t pending_writes() const { return pending_.size(); }
  std::size_t files() const { return files_.size(); }
  const DiskMirrorCounters& counters() const { return counters_; }

 private:
  struct File {
    std::string name;
    std::uint64_t checksum = 0;
  };
  struct Pending {
    std::uint64_t write = 0;  // Which write, so a completion can tell whether a later one superseded it.
    std::string name;
  };

  void notify(DiskNotice::Kind kind, std::string name, std::string reason);
  void start_write(ImageId image_id, const Body& body, std::string name);
  void on_written(ImageId image_id, std::uint64_t write, const std::string& name, std::uint64_t checksum,
                  StorageError error);
  void remove_file(ImageId image_id);

  Storage& storage_;
  NoticeHandler on_notice_;
  bool verify_on_load_;
  std::vector<ImageId> load_order_;
  std::map<ImageId, File> files_;       // The durable file holding each mirrored image.
  std::map<ImageId, Pending> pending_;  // The latest write asked for, per image, until it completes.
  std::uint64_t writes_started_ = 0;
  bool degraded_ = false;
  std::string degraded_reason_;
  std::uint64_t skipped_while_degraded_ = 0;
  DiskMirrorCounters counters_;
};

}  // namespace edgecache
