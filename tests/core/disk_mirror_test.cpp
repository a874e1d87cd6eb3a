// The disk mirror (core/disk_mirror.h) over a storage the test drives by hand: writes wait until the test
// completes them, in order, with the error it chooses, so every interleaving the real and simulated disks
// can produce (an eviction or a second write while a write is under way, a failure, a probe) is pinned down.

#include <catch2/catch.hpp>

#include <deque>
#include <map>

#include "core/disk_mirror.h"

namespace edgecache {
namespace {

Body body_of(std::size_t size, std::uint8_t fill) { return make_body(std::vector<std::uint8_t>(size, fill)); }

// Files in a map; operations queue until complete_next() runs them one at a time, as a disk does.
class ManualStorage final : public Storage {
 public:
  std::vector<StoredFile> list() override {
    std::vector<StoredFile> result;
    for (const auto& [name, file] : files) result.push_back({name, file.body->size(), file.order});
    return result;
  }
  StoredRead read(const std::string& name) override {
    auto found = files.find(name);
    if (found == files.end()) return {nullptr, "no such file"};
    return {found->second.body, ""};
  }
  void write(std::string name, Body body, WriteDone done) override {
    queue.push_back({true, std::move(name), std::move(body), std::move(done)});
  }
  void remove(std::string name) override { queue.push_back({false, std::move(name), nullptr, nullptr}); }

  // Runs the next queued operation; a write fails with `error` (leaving nothing) or lands.
  void complete_next(StorageError error = StorageError::none) {
    REQUIRE_FALSE(queue.empty());
    Operation operation = std::move(queue.front());
    queue.pop_front();
    if (!operation.is_write) {
      files.erase(operation.name);
      return;
    }
    if (error == StorageError::none) files[operation.name] = {operation.body, ++order};
    operation.done(error);
  }
  void complete_all() {
    while (!queue.empty()) complete_next();
  }

  struct File {
    Body body;
    std::int64_t order = 0;
  };
  struct Operation {
    bool is_write = false;
    std::string name;
    Body body;
    WriteDone done;
  };
  std::map<std::string, File> files;
  std::deque<Operation> queue;
  std::int64_t order = 0;
};

TEST_CASE("disk mirror: file names carry the id and checksum, and nothing else parses", "[core][disk_mirror]") {
  const std::string name = disk_file_name(42, 0x00ab'cdef'0123'4567ULL);
  CHECK(name == "42.00abcdef01234567.img");
  const auto parsed = parse_disk_file_name(name);
  REQUIRE(parsed);
  CHECK(parsed->first == 42U);
  CHECK(parsed->second == 0x00ab'cdef'0123'4567ULL);
  for (const char* bad : {"42.img", "42.00abcdef0123456.img", "x.00abcdef01234567.img", "42.00abcdef01234567.tmp",
                          ".img", "42.00abcdef01234567.img.tmp.7"}) {
    INFO(bad);
    CHECK_FALSE(parse_disk_file_name(bad));
  }
}

TEST_CASE("disk mirror: cached images are written, evicted ones removed, and a restart loads them back",
          "[core][disk_mirror]") {
  ManualStorage storage;
  LruCache cache(100);
  {
    DiskMirror mirror(storage);
    mirror.load(cache);
    const Body first = body_of(40, 1);
    const Body second = body_of(40, 2);
    mirror.on_cached(1, first);
    mirror.on_cached(2, second);
    CHECK(mirror.pending_writes() == 2);
    CHECK_FALSE(mirror.file_for(1, first->checksum()));  // Not durable yet.
    storage.complete_all();
    CHECK(mirror.pending_writes() == 0);
    CHECK(mirror.file_for(1, first->checksum()) == disk_file_name(1, first->checksum()));
    CHECK_FALSE(mirror.file_for(1, second->checksum()));  // Other bytes are not on disk.
    mirror.on_evicted(1);
    storage.complete_all();
    CHECK(storage.files.size() == 1);
    CHECK(mirror.counters().written == 2);
    CHECK(mirror.counters().removed == 1);
  }
  LruCache reloaded(100);
  DiskMirror again(storage);
  again.load(reloaded);
  CHECK(reloaded.ids() == std::vector<ImageId>{2});
  CHECK(again.load_order() == std::vector<ImageId>{2});
  CHECK(again.counters().loaded == 1);
}

TEST_CASE("disk mirror: load drops torn, flipped and misnamed files, and what no longer fits", "[core][disk_mirror]") {
  ManualStorage storage;
  const Body good = body_of(30, 1);
  const Body newer = body_of(30, 3);
  const Body flipped = body_of(30, 4);
  storage.files[disk_file_name(1, good->checksum())] = {good, 1};
  storage.files[disk_file_name(2, body_of(30, 2)->checksum())] = {body_of(15, 2), 2};  // Torn: half of it.
  storage.files[disk_file_name(3, body_of(30, 9)->checksum())] = {flipped, 3};         // Other bytes.
  storage.files["notes.txt"] = {body_of(5, 0), 4};
  storage.files[disk_file_name(5, newer->checksum())] = {newer, 5};
  storage.files[disk_file_name(6, body_of(30, 6)->checksum())] = {body_of(30, 6), 6};
  std::vector<DiskNotice> notices;
  LruCache cache(60);  // Room for two of the three good files: the oldest goes.
  DiskMirror mirror(storage, [&](const DiskNotice& notice) { notices.push_back(notice); });
  mirror.load(cache);
  storage.complete_all();
  CHECK(cache.ids() == std::vector<ImageId>{5, 6});
  CHECK(mirror.counters().dropped_corrupt == 3);
  CHECK(mirror.counters().dropped_over_budget == 1);
  CHECK(mirror.counters().loaded == 2);
  CHECK(storage.files.size() == 2);
  REQUIRE(notices.size() == 3);
  for (const DiskNotice& notice : notices) CHECK(notice.kind == DiskNotice::Kind::dropped);
  CHECK(notices[0].reason == "not a cache file name");
}

TEST_CASE("disk mirror: a mirror that trusts its disk loads a flipped file (the broken mirror the checkers catch)",
          "[core][disk_mirror]") {
  ManualStorage storage;
  const Body flipped = body_of(30, 4);
  storage.files[disk_file_name(3, body_of(30, 9)->checksum())] = {flipped, 1};
  LruCache cache(100);
  DiskMirror trusting(storage, {}, false);
  trusting.load(cache);
  CHECK(cache.ids() == std::vector<ImageId>{3});
}

TEST_CASE("disk mirror: a write that lands after its image left the cache removes its own file",
          "[core][disk_mirror]") {
  ManualStorage storage;
  LruCache cache(100);
  DiskMirror mirror(storage);
  mirror.load(cache);
  const Body body = body_of(10, 1);
  mirror.on_cached(1, body);
  mirror.on_evicted(1);
  storage.complete_all();
  CHECK(storage.files.empty());
  CHECK_FALSE(mirror.file_for(1, body->checksum()));

  SECTION("unless the image was cached again with the same bytes meanwhile") {
    mirror.on_cached(1, body);
    mirror.on_evicted(1);
    mirror.on_cached(1, body);
    storage.complete_all();
    CHECK(storage.files.size() == 1);
    CHECK(mirror.file_for(1, body->checksum()));
  }
  SECTION("and a newer version replaces the older file") {
    const Body other = body_of(12, 2);
    mirror.on_cached(1, body);
    storage.complete_all();
    mirror.on_cached(1, other);
    storage.complete_all();
    CHECK(storage.files.size() == 1);
    CHECK(storage.files.count(disk_file_name(1, other->checksum())) == 1);
    CHECK(mirror.file_for(1, other->checksum()));
  }
}

TEST_CASE("disk mirror: a failed write degrades the mirror; a probe that lands ends it", "[core][disk_mirror]") {
  ManualStorage storage;
  LruCache cache(1'000'000);
  std::vector<DiskNotice::Kind> notices;
  DiskMirror mirror(storage, [&](const DiskNotice& notice) { notices.push_back(notice.kind); });
  mirror.load(cache);
  mirror.on_cached(1, body_of(10, 1));
  storage.complete_next(StorageError::no_space);
  CHECK(mirror.degraded());
  CHECK(mirror.degraded_reason() == "no_space");
  CHECK(mirror.counters().write_failures == 1);
  CHECK(mirror.counters().degraded_episodes == 1);
  CHECK(storage.files.empty());

  // Degraded, the mirror writes one image in degraded_probe_interval_writes and skips the others.
  for (ImageId id = 2; id < 2 + degraded_probe_interval_writes; ++id) mirror.on_cached(id, body_of(10, 2));
  CHECK(storage.queue.size() == 1);
  CHECK(mirror.counters().writes_skipped == degraded_probe_interval_writes - 1);
  storage.complete_next(StorageError::no_space);
  CHECK(mirror.degraded());
  CHECK(mirror.counters().degraded_episodes == 1);  // Still the same episode.

  for (ImageId id = 100; id < 100 + degraded_probe_interval_writes; ++id) mirror.on_cached(id, body_of(10, 3));
  storage.complete_next();
  CHECK_FALSE(mirror.degraded());
  CHECK(mirror.degraded_reason().empty());
  CHECK(notices == std::vector<DiskNotice::Kind>{DiskNotice::Kind::write_failed, DiskNotice::Kind::degraded,
                                                  DiskNotice::Kind::write_failed, DiskNotice::Kind::recovered});
}

TEST_CASE("disk mirror: writes waiting on a slow disk are bounded; the rest are skipped", "[core][disk_mirror]") {
  ManualStorage storage;
  LruCache cache(1'000'000);
  DiskMirror mirror(storage);
  mirror.load(cache);
  for (ImageId id = 0; id < max_pending_disk_writes + 5; ++id) mirror.on_cached(id, body_of(10, 1));
  CHECK(mirror.pending_writes() == max_pending_disk_writes);
  CHECK(storage.queue.size() == max_pending_disk_writes);
  CHECK(mirror.counters().writes_skipped == 5);
  storage.complete_all();
  CHECK(mirror.files() == max_pending_disk_writes);
  // A refresh of an image already on disk writes nothing.
  mirror.on_cached(0, body_of(10, 1));
  CHECK(storage.queue.empty());
}

}  // namespace
}  // namespace edgecache
