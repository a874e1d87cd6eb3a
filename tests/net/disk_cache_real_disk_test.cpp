// The disk cache on real disks that misbehave, under a real edge (net/disk_cache.h, net/file_storage.h).
// Method: as root, give edge 1 of a loopback cluster a --data-dir on a disk that is full (a 256 KiB tmpfs)
// or slow (ext4 on a loop device whose writes a blkio cgroup holds to 64 KiB/s), fetch images through it
// over HTTP, and judge it by what a client and an operator see: every response's bytes, /status and
// /metrics. The slow disk is judged against itself, not a clock: hits and misses must finish while the
// writes they caused are still pending, and each faster than the time one write is measured to take.
// Tagged [root]; without root, a loop device or a cgroup write limit, each case says why and skips.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/net/cluster_harness.h"
#include "tests/net/disk_fixtures.h"

namespace edgecache::net {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

using Images = std::map<std::uint64_t, std::vector<std::uint8_t>>;

// Writes `count` JPEG-typed images of `size_bytes` bytes, ids from `first_id`, into the cluster's images
// directory (call before start) and returns them.
Images add_images(const testing::Cluster& cluster, std::uint64_t first_id, std::size_t count, std::size_t size_bytes) {
  Images images;
  for (std::uint64_t id = first_id; id < first_id + count; ++id) {
    std::vector<std::uint8_t> bytes = testing::jpeg_bytes();
    for (std::size_t index = 0; bytes.size() < size_bytes; ++index) bytes.push_back(static_cast<std::uint8_t>(index * 7 + id));
    std::ofstream(cluster.directory() + "/image" + std::to_string(id) + ".jpg", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    images[id] = std::move(bytes);
  }
  return images;
}

double milliseconds_of(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

// Fetches image `id` from the edge on `port` and checks the answer is exactly `bytes`; returns how many
// milliseconds it took.
double fetch_checked(std::uint16_t port, std::uint64_t id, const std::vector<std::uint8_t>& bytes) {
  const auto start = Clock::now();
  const testing::HttpResult image = testing::http_request(port, "GET", "/images/" + std::to_string(id));
  const double took = milliseconds_of(Clock::now() - start);
  INFO("image " << id);
  CHECK(image.status == 200);
  CHECK(image.body == std::string(bytes.begin(), bytes.end()));
  return took;
}

std::uint64_t disk_field(std::uint16_t port, const char* field) {
  const nlohmann::json disk = testing::edge_disk_status(port);
  return disk.is_object() && disk[field].is_number() ? disk[field].get<std::uint64_t>() : 0;
}

}  // namespace

TEST_CASE("disk cache: on a full disk the edge serves every image and reports no_space", "[net][cluster][disk_cache][root]") {
  if (const auto missing = testing::root_missing()) {
    WARN("skipped: " << *missing);
    return;
  }
  // Declared so that the cluster goes first (the edge holds files on the tmpfs open), then the mount.
  testing::TempDirectory mount_point;
  const testing::TmpfsMount tmpfs(mount_point.path(), 256);
  if (tmpfs.failure()) {
    WARN("skipped: " << *tmpfs.failure());
    return;
  }
  testing::Cluster cluster;
  const Images images = add_images(cluster, 10, 12, 40 * 1024);  // 480 KiB for a 256 KiB disk.
  cluster.add_arguments(1, {"--data-dir=" + mount_point.path() + "/data"});
  {
    std::string why;
    const bool started = cluster.start(why);
    INFO(why);
    REQUIRE(started);
  }
  const std::uint16_t port = cluster.http_port(1);
  for (const auto& [id, bytes] : images) fetch_checked(port, id, bytes);
  INFO(testing::read_file(cluster.process(1).log_path()));
  REQUIRE(testing::eventually(milliseconds(10000), [&] {
    const nlohmann::json disk = testing::edge_disk_status(port);
    return disk.is_object() && disk["degraded"] == true && disk["pending_writes"] == 0;
  }));
  const nlohmann::json disk = testing::edge_disk_status(port);
  INFO(disk.dump());
  CHECK(disk["reason"] == "no_space");
  CHECK(disk["write_failures"] >= 1);
  CHECK(disk["written"] >= 1);
  CHECK(disk["written"].get<std::uint64_t>() + disk["write_failures"].get<std::uint64_t>() +
            disk["writes_skipped"].get<std::uint64_t>() == images.size());

  // Every image is still served with its bytes, now as a hit from memory.
  for (const auto& [id, bytes] : images) fetch_checked(port, id, bytes);
  const testing::HttpResult metrics = testing::http_request(port, "GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(testing::metric_value(metrics.body, "edgecache_disk_degraded") == std::optional<std::uint64_t>(1));
  CHECK(testing::metric_value(metrics.body, "edgecache_disk_degraded_no_space") == std::optional<std::uint64_t>(1));
  CHECK(testing::metric_value(metrics.body, "edgecache_cache_hits_total") >= std::optional<std::uint64_t>(images.size()));
  CHECK(testing::read_file(cluster.process(1).log_path()).find("disk cache: degraded (no_space)") != std::string::npos);
  // A failed write leaves no temporary file on the disk it failed to fill.
  for (const auto& entry : fs::directory_iterator(mount_point.path() + "/data")) {
    CHECK(entry.path().extension() == ".img");
  }
}

TEST_CASE("disk cache: on a slow disk hits and misses do not wait for the writes", "[net][cluster][disk_cache][root]") {
  if (const auto missing = testing::root_missing()) {
    WARN("skipped: " << *missing);
    return;
  }
  testing::TempDirectory work;
  fs::create_directories(work.path() + "/mnt");
  // Declared so that they are undone in reverse: the cluster (its processes killed and reaped), then the
  // cgroup (empty by then), then the loop device.
  const testing::LoopDisk disk(work.path() + "/disk.img", work.path() + "/mnt", 64);
  if (disk.failure()) {
    WARN("skipped: " << *disk.failure());
    return;
  }
  constexpr std::uint64_t write_bytes_per_second = 64 * 1024;
  testing::WriteThrottle throttle(disk.device_numbers(), write_bytes_per_second);
  if (throttle.failure()) {
    WARN("skipped: " << *throttle.failure());
    return;
  }
  testing::Cluster cluster;
  const Images warm = add_images(cluster, 30, 4, 64 * 1024);   // Large enough to be sent from their files.
  const Images cold = add_images(cluster, 40, 4, 128 * 1024);  // About 2 s each to write at 64 KiB/s.
  cluster.add_arguments(1, {"--data-dir=" + work.path() + "/mnt/data"});
  {
    std::string why;
    const bool started = cluster.start(why);
    INFO(why);
    REQUIRE(started);
  }
  const std::uint16_t port = cluster.http_port(1);
  INFO(testing::read_file(cluster.process(1).log_path()));
  for (const auto& [id, bytes] : warm) fetch_checked(port, id, bytes);
  REQUIRE(testing::eventually(milliseconds(10000), [&] {
    return disk_field(port, "written") == warm.size() && disk_field(port, "pending_writes") == 0;
  }));
  if (const auto refused = throttle.add(cluster.process(1).pid())) {
    WARN("skipped: " << *refused);
    return;
  }

  // Misses: each caches an image whose write now crawls. Then hits on the warm images, while those wait.
  const auto writes_start = Clock::now();
  std::vector<double> misses;
  for (const auto& [id, bytes] : cold) misses.push_back(fetch_checked(port, id, bytes));
  std::vector<double> hits;
  for (int round = 0; round < 10; ++round) {
    for (const auto& [id, bytes] : warm) hits.push_back(fetch_checked(port, id, bytes));
  }
  const std::uint64_t pending_after_hits = disk_field(port, "pending_writes");
  CHECK(pending_after_hits > 0);

  // The writes, each timed from the moment the one before it landed (the first from the first miss); writes
  // that land within one poll share its interval.
  std::vector<double> write_ms;
  auto last_landing = writes_start;
  std::uint64_t landed = warm.size();
  const bool all_landed = testing::eventually(milliseconds(60000), [&] {
    const std::uint64_t written = disk_field(port, "written");
    if (written > landed) {
      const auto now = Clock::now();
      const double each = milliseconds_of(now - last_landing) / static_cast<double>(written - landed);
      for (; landed < written; ++landed) write_ms.push_back(each);
      last_landing = now;
    }
    return written >= warm.size() + cold.size();
  });
  CHECK(all_landed);
  REQUIRE_FALSE(write_ms.empty());

  std::sort(hits.begin(), hits.end());
  const double hit_p50 = hits[hits.size() / 2];
  const double hit_max = hits.back();
  const double miss_max = *std::max_element(misses.begin(), misses.end());
  const double fastest_write = *std::min_element(write_ms.begin(), write_ms.end());
  std::ostringstream figures;
  figures << std::fixed << std::setprecision(1) << "slow disk (" << throttle.controller() << ", " << write_bytes_per_second << " B/s): hit p50 " << hit_p50
          << " ms, hit max " << hit_max << " ms over " << hits.size() << " hits; miss max " << miss_max
          << " ms; writes of 128 KiB took";
  for (const double took : write_ms) figures << " " << took << " ms";
  figures << "; " << pending_after_hits << " writes still pending after the hits";
  std::cout << figures.str() << "\n";
  INFO(figures.str());
  CHECK(hit_max < fastest_write / 4);
  CHECK(miss_max < fastest_write / 4);
}

}  // namespace edgecache::net
