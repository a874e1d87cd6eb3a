// The edge's disk cache (net/disk_cache.h). Method: drive a DiskCache directly as the edge would (on_cached,
// on_evicted), then load a fresh LruCache from the same directory, as a restarted edge does, after damaging
// files in the ways a crash or a bad disk would; then, with real processes, restart an edge with its origin
// dead and check it serves from what it reloaded.

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "net/disk_cache.h"
#include "tests/net/cluster_harness.h"

namespace edgecache::net {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

Body body_of(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t index = 0; index < size; ++index) bytes[index] = static_cast<std::uint8_t>(seed + index * 7);
  return make_body(std::move(bytes));
}

std::size_t file_count(const std::string& directory) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(directory)) ++count;
  return count;
}

// What each test needs around a DiskCache: a path for its data directory (not created: load() does that)
// inside a temporary directory of its own, and a logger whose lines the test can read.
struct DiskCacheScratch {
  testing::TempDirectory directory;
  const std::string data = directory.path() + "/data-" + std::to_string(::getpid());
  std::ostringstream log;
  Logger logger{log, 1, "edge", LogLevel::debug};
};

// Reads the whole of `file` through its descriptor, as sendfile would.
std::vector<std::uint8_t> read_whole(const BodyFile& file) {
  std::vector<std::uint8_t> bytes(file.size_bytes());
  REQUIRE(::pread(file.descriptor(), bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
  return bytes;
}

}  // namespace

TEST_CASE("disk cache: images survive a reload, corrupt files are dropped, the budget holds", "[net][disk_cache]") {
  DiskCacheScratch scratch;
  const std::string& data = scratch.data;
  Logger& logger = scratch.logger;
  {
    LruCache unused(1);
    DiskCache disk(data, logger);
    REQUIRE_FALSE(disk.load(unused));
    disk.on_cached(1, body_of(1000, 1));
    disk.on_cached(2, body_of(1000, 2));
    disk.on_cached(3, body_of(1000, 3));
    disk.on_cached(4, body_of(1000, 4));
    disk.on_cached(4, body_of(1000, 4));  // A refresh writes nothing new.
    disk.on_evicted(4);
    CHECK(disk.counters().written == 4);
    CHECK(file_count(data) == 3);
  }
  // Damage: flip a byte of image 2's file, and leave an unfinished temporary file and a stray file.
  for (const auto& entry : fs::directory_iterator(data)) {
    if (entry.path().filename().string().rfind("2.", 0) == 0) {
      std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
      file.seekp(10);
      file.put('\xff');
    }
  }
  std::ofstream(data + "/5.0123456789abcdef.img.tmp.1") << "half";
  std::ofstream(data + "/notes.txt") << "stray";

  LruCache cache(10'000);
  DiskCache disk(data, logger);
  REQUIRE_FALSE(disk.load(cache));
  CHECK(cache.ids() == std::vector<ImageId>{1, 3});
  CHECK(cache.peek(1)->checksum() == body_of(1000, 1)->checksum());
  CHECK(disk.counters().loaded == 2);
  CHECK(disk.counters().dropped_corrupt == 3);
  CHECK(file_count(data) == 2);
  CHECK(scratch.log.str().find("checksum mismatch") != std::string::npos);

  // A smaller budget on the next start keeps what fits and deletes the rest.
  LruCache small(1500);
  DiskCache again(data, logger);
  REQUIRE_FALSE(again.load(small));
  CHECK(small.item_count() == 1);
  CHECK(again.counters().dropped_over_budget == 1);
  CHECK(file_count(data) == 1);
}

TEST_CASE("disk cache: an unusable data directory is an error naming the flag", "[net][disk_cache]") {
  testing::TempDirectory directory;
  const std::string blocker = directory.path() + "/file-" + std::to_string(::getpid());
  std::ofstream(blocker) << "not a directory";
  std::ostringstream log;
  Logger logger(log, 1, "edge", LogLevel::debug);
  LruCache cache(1000);
  DiskCache disk(blocker, logger);
  const auto error = disk.load(cache);
  REQUIRE(error);
  CHECK(error->find("--data-dir") != std::string::npos);
}

TEST_CASE("disk cache: large images' files are handed out for sendfile, small, stale and evicted ones not",
          "[net][disk_cache][body_files]") {
  DiskCacheScratch scratch;
  LruCache unused(1);
  DiskCache disk(scratch.data, scratch.logger);
  REQUIRE_FALSE(disk.load(unused));
  const Body large = body_of(min_sendfile_body_bytes, 1);
  const Body small = body_of(min_sendfile_body_bytes - 1, 2);
  disk.on_cached(1, large);
  disk.on_cached(2, small);

  const std::shared_ptr<const BodyFile> file = disk.body_file(1, large);
  REQUIRE(file);
  CHECK(file->size_bytes() == large->size());
  const std::vector<std::uint8_t> large_bytes(large->bytes().begin(), large->bytes().end());
  CHECK(read_whole(*file) == large_bytes);
  CHECK(disk.body_file(1, large) == file);  // Kept open, not opened again.

  CHECK_FALSE(disk.body_file(2, small));  // Copying it is cheaper.
  CHECK_FALSE(disk.body_file(3, large));  // Not on disk at all.
  // Image 1 with other bytes than its file holds (as after a failed write of the new ones): no file.
  CHECK_FALSE(disk.body_file(1, body_of(min_sendfile_body_bytes, 9)));

  disk.on_evicted(1);  // Deletes the file; the descriptor handed out still reads its bytes.
  CHECK_FALSE(disk.body_file(1, large));
  CHECK(read_whole(*file) == large_bytes);
}

TEST_CASE("disk cache: a restarted edge serves its reloaded images as hits with the canonical down", "[net][cluster][disk_cache]") {
  testing::Cluster cluster;
  const std::string data = cluster.directory() + "/edge1-data-" + std::to_string(::getpid());
  cluster.add_arguments(1, {"--data-dir=" + data});
  {
    std::string why;
    const bool started = cluster.start(why);
    INFO(why);
    REQUIRE(started);
  }
  for (std::uint64_t id : {1u, 5u}) REQUIRE(testing::http_request(cluster.http_port(1), "GET", "/images/" + std::to_string(id)).status == 200);

  cluster.process(1).signal(SIGKILL);
  REQUIRE(cluster.process(1).wait_for_exit(milliseconds(2000)));
  cluster.process(testing::Cluster::canonical_id).signal(SIGKILL);
  REQUIRE(cluster.process(testing::Cluster::canonical_id).wait_for_exit(milliseconds(2000)));
  cluster.relaunch(1);
  REQUIRE(testing::eventually(milliseconds(10000), [&] {
    return testing::http_request(cluster.http_port(1), "GET", "/healthz", {}, milliseconds(500)).status == 200;
  }));

  INFO(testing::read_file(cluster.process(1).log_path()));
  for (std::uint64_t id : {1u, 5u}) {
    const testing::HttpResult image = testing::http_request(cluster.http_port(1), "GET", "/images/" + std::to_string(id));
    CHECK(image.status == 200);
    CHECK(image.body == std::string(cluster.image(id).begin(), cluster.image(id).end()));
  }
  const testing::HttpResult metrics = testing::http_request(cluster.http_port(1), "GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(testing::metric_value(metrics.body, "edgecache_cache_hits_total") >= std::optional<std::uint64_t>(2));
  CHECK(testing::metric_value(metrics.body, "edgecache_origin_fetches_total") == std::optional<std::uint64_t>(0));
  CHECK(testing::read_file(cluster.process(1).log_path()).find(" cached images (") != std::string::npos);
}

}  // namespace edgecache::net
