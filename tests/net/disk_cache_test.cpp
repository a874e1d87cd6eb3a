// The edge's disk cache (net/disk_cache.h). Method: drive a DiskCache directly as the edge would (on_cached,
// on_evicted), running its io_context until the background writer's completions have run (writes are
// asynchronous, so a test waits for them as the event loop would, never for a fixed time), then load a fresh
// LruCache from the same directory, as a restarted edge does, after damaging files in the ways a crash or a
// bad disk would; then, with real processes, restart an edge with its origin dead and check it serves from
// what it reloaded.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "net/disk_cache.h"
#include "tests/net/cluster_harness.h"
#include "tests/net/disk_fixtures.h"

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
// inside a temporary directory of its own, a logger whose lines the test can read, and the io_context the
// writer posts its completions to.
struct DiskCacheScratch {
  testing::TempDirectory directory;
  const std::string data = directory.path() + "/data-" + std::to_string(::getpid());
  std::ostringstream log;
  Logger logger{log, 1, "edge", LogLevel::debug};
  boost::asio::io_context context;

  // Runs the context until every disk operation `disk` asked for has completed.
  bool settle(const DiskCache& disk) {
    return testing::run_until(context, [&] { return disk.unfinished_operations() == 0; });
  }
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
  {
    LruCache unused(1);
    DiskCache disk(data, scratch.context, scratch.logger);
    REQUIRE_FALSE(disk.load(unused));
    disk.on_cached(1, body_of(1000, 1));
    disk.on_cached(2, body_of(1000, 2));
    disk.on_cached(3, body_of(1000, 3));
    disk.on_cached(4, body_of(1000, 4));
    CHECK(disk.status().pending_writes == 4);  // Nothing is written inside the edge's event.
    REQUIRE(scratch.settle(disk));
    disk.on_cached(4, body_of(1000, 4));  // A refresh writes nothing new.
    disk.on_evicted(4);
    REQUIRE(scratch.settle(disk));
    CHECK(disk.counters().written == 4);
    CHECK(disk.counters().removed == 1);
    CHECK(disk.status().pending_writes == 0);
    CHECK(disk.status().files == 3);
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
  std::ofstream(data + "/5.0123456789abcdef.img.tmp") << "half";
  std::ofstream(data + "/notes.txt") << "stray";

  LruCache cache(10'000);
  DiskCache disk(data, scratch.context, scratch.logger);
  REQUIRE_FALSE(disk.load(cache));
  CHECK(cache.ids() == std::vector<ImageId>{1, 3});
  CHECK(cache.peek(1)->checksum() == body_of(1000, 1)->checksum());
  CHECK(disk.counters().loaded == 2);
  // The temporary file is the storage's own leftover: it deletes and logs it before the mirror sees a list.
  CHECK(disk.counters().dropped_corrupt == 2);
  REQUIRE(scratch.settle(disk));
  CHECK(file_count(data) == 2);
  CHECK(scratch.log.str().find("checksum mismatch") != std::string::npos);
  CHECK(scratch.log.str().find("unfinished write from an earlier run") != std::string::npos);

  // A smaller budget on the next start keeps what fits and deletes the rest.
  LruCache small(1500);
  DiskCache again(data, scratch.context, scratch.logger);
  REQUIRE_FALSE(again.load(small));
  CHECK(small.item_count() == 1);
  CHECK(again.counters().dropped_over_budget == 1);
  REQUIRE(scratch.settle(again));
  CHECK(file_count(data) == 1);
}

TEST_CASE("disk cache: an unusable data directory is an error naming the flag", "[net][disk_cache]") {
  testing::TempDirectory directory;
  const std::string blocker = directory.path() + "/file-" + std::to_string(::getpid());
  std::ofstream(blocker) << "not a directory";
  std::ostringstream log;
  Logger logger(log, 1, "edge", LogLevel::debug);
  boost::asio::io_context context;
  LruCache cache(1000);
  DiskCache disk(blocker, context, logger);
  const auto error = disk.load(cache);
  REQUIRE(error);
  CHECK(error->find("--data-dir") != std::string::npos);
}

TEST_CASE("disk cache: large images' files are handed out for sendfile, small, stale and evicted ones not",
          "[net][disk_cache][body_files]") {
  DiskCacheScratch scratch;
  LruCache unused(1);
  DiskCache disk(scratch.data, scratch.context, scratch.logger);
  REQUIRE_FALSE(disk.load(unused));
  const Body large = body_of(min_sendfile_body_bytes, 1);
  const Body small = body_of(min_sendfile_body_bytes - 1, 2);
  disk.on_cached(1, large);
  disk.on_cached(2, small);
  CHECK_FALSE(disk.body_file(1, large));  // Its write is not durable yet: the bytes go from memory.
  REQUIRE(scratch.settle(disk));

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
  REQUIRE(scratch.settle(disk));
  CHECK(file_count(scratch.data) == 1);
  CHECK(read_whole(*file) == large_bytes);
}

TEST_CASE("disk cache: images cached while the writer is full are not mirrored; a failed write degrades it",
          "[net][disk_cache]") {
  // A FIFO under the temporary name of image 1's write holds the writer in open(2) until the test opens the
  // other end: a disk that does not answer. Each image is evicted right after it is cached, so the mirror
  // forgets its write while the writer still holds it, and only the writer's own bound is left to hold.
  DiskCacheScratch scratch;
  LruCache unused(1);
  DiskCache disk(scratch.data, scratch.context, scratch.logger);
  REQUIRE_FALSE(disk.load(unused));
  const std::string fifo =
      scratch.data + "/" + disk_file_name(1, body_of(1000, 1)->checksum()) + std::string(temporary_file_marker);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::uint64_t images = max_queued_disk_writes + 8;
  for (ImageId image_id = 1; image_id <= images; ++image_id) {
    disk.on_cached(image_id, body_of(1000, static_cast<std::uint8_t>(image_id)));
    disk.on_evicted(image_id);
  }
  CHECK(disk.status().queued_writes == max_queued_disk_writes);
  CHECK(disk.status().pending_writes == 0);
  CHECK(disk.counters().writes_skipped == 8);

  // The disk answers: the write into the FIFO cannot be made durable (fsync of a pipe fails), which degrades
  // the mirror; the next write lands, which ends that; and the images being gone, their files are removed.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  REQUIRE(scratch.settle(disk));
  ::close(reader);
  const DiskCacheStatus status = disk.status();
  CHECK(status.counters.write_failures == 1);
  CHECK(status.counters.degraded_episodes == 1);
  CHECK_FALSE(status.degraded);
  CHECK(status.queued_writes == 0);
  CHECK(file_count(scratch.data) == 0);
  const std::string log = scratch.log.str();
  CHECK(log.find("disk cache: cannot write " + fifo.substr(0, fifo.size() - temporary_file_marker.size())) != std::string::npos);
  CHECK(log.find("disk cache: degraded (io_error)") != std::string::npos);
  CHECK(log.find("landed; writing images to disk again") != std::string::npos);
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
  // The writes are asynchronous: kill the edge only once /status says both images are durable.
  REQUIRE(testing::eventually(milliseconds(10000), [&] {
    const nlohmann::json disk = testing::edge_disk_status(cluster.http_port(1));
    return disk.is_object() && disk["written"] == 2 && disk["pending_writes"] == 0;
  }));

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
  const nlohmann::json disk = testing::edge_disk_status(cluster.http_port(1));
  CHECK(disk["loaded"] == 2);
  CHECK(disk["files"] == 2);
  CHECK(disk["degraded"] == false);
  CHECK(testing::metric_value(metrics.body, "edgecache_disk_degraded") == std::optional<std::uint64_t>(0));
  CHECK(testing::metric_value(metrics.body, "edgecache_disk_images_loaded") == std::optional<std::uint64_t>(2));
}

}  // namespace edgecache::net
