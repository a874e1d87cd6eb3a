// The bounded cache of open image files (net/body_files.h). Method: write real files into a temporary
// directory and drive a BodyFiles directly; read through the descriptors it hands out with pread, so a
// descriptor that was closed too early, or that points at the wrong file, shows up as wrong or missing bytes.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "net/body_files.h"
#include "tests/net/cluster_harness.h"

namespace edgecache::net {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> bytes_of(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t index = 0; index < size; ++index) bytes[index] = static_cast<std::uint8_t>(seed + index * 13);
  return bytes;
}

// Everything the descriptor reads from offset 0, or nothing if it cannot be read (closed, for one).
std::optional<std::vector<std::uint8_t>> read_all(int descriptor, std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(descriptor, bytes.data() + done, size - done, static_cast<off_t>(done));
    if (got <= 0) return std::nullopt;
    done += static_cast<std::size_t>(got);
  }
  return bytes;
}

}  // namespace

TEST_CASE("body files: kept handles are reused, the least recently used closed beyond the bound", "[net][body_files]") {
  testing::TempDirectory directory;
  for (int id = 1; id <= 3; ++id) directory.write(std::to_string(id) + ".img", bytes_of(20'000, static_cast<std::uint8_t>(id)));
  auto path = [&](int id) { return directory.path() + "/" + std::to_string(id) + ".img"; };

  BodyFiles files(2);
  const std::weak_ptr<const BodyFile> first = files.open(1, 11, path(1), 20'000);
  REQUIRE_FALSE(first.expired());  // Kept by the cache, though nobody else holds it.
  const auto again = files.open(1, 11, path(1), 20'000);
  CHECK(again == first.lock());
  CHECK(files.counters().reused == 1);

  REQUIRE(files.open(2, 22, path(2), 20'000));
  REQUIRE(files.open(1, 11, path(1), 20'000));  // Now 2 is the least recently used ...
  const std::weak_ptr<const BodyFile> second = files.open(2, 22, path(2), 20'000);
  REQUIRE(files.open(1, 11, path(1), 20'000));
  REQUIRE(files.open(3, 33, path(3), 20'000));  // ... so opening 3 lets 2 go.
  CHECK(files.kept_count() == 2);
  CHECK(files.counters().closed_lru == 1);
  CHECK(second.expired());   // Nobody held it, so its descriptor is closed.
  CHECK_FALSE(first.expired());
  const auto third = files.open(3, 33, path(3), 20'000);
  REQUIRE(third);
  CHECK(read_all(third->descriptor(), 20'000) == bytes_of(20'000, 3));
}

TEST_CASE("body files: a missing file, a size other than the body's or a directory give nothing", "[net][body_files]") {
  testing::TempDirectory directory;
  directory.write("1.img", bytes_of(20'000, 1));
  const std::string path = directory.path() + "/1.img";

  BodyFiles files;
  CHECK_FALSE(files.open(1, 11, path, 20'001));
  CHECK_FALSE(files.open(1, 11, path, 19'999));
  CHECK_FALSE(files.open(2, 22, directory.path() + "/absent.img", 20'000));
  CHECK_FALSE(files.open(3, 33, directory.path(), 0));
  CHECK(files.counters().unusable == 4);
  CHECK(files.kept_count() == 0);
  CHECK(files.open(1, 11, path, 20'000));  // The file itself is fine.

  // A kept handle for other bytes (the image was replaced by one with another checksum) is not handed out
  // for the new ones: the caller's size and checksum decide.
  directory.write("1-new.img", bytes_of(30'000, 9));
  const auto replaced = files.open(1, 99, directory.path() + "/1-new.img", 30'000);
  REQUIRE(replaced);
  CHECK(replaced->size_bytes() == 30'000);
  CHECK(read_all(replaced->descriptor(), 30'000) == bytes_of(30'000, 9));
  CHECK(files.kept_count() == 1);
}

TEST_CASE("body files: a handle stays readable after it is forgotten, closed by LRU and its file deleted",
          "[net][body_files]") {
  testing::TempDirectory directory;
  directory.write("1.img", bytes_of(50'000, 1));
  directory.write("2.img", bytes_of(50'000, 2));
  const std::string path = directory.path() + "/1.img";

  BodyFiles files(1);
  std::shared_ptr<const BodyFile> held = files.open(1, 11, path, 50'000);
  REQUIRE(held);
  files.forget(1);
  CHECK(files.kept_count() == 0);
  CHECK(files.counters().forgotten == 1);
  fs::remove(path);  // What DiskCache does on eviction, while a response may still be sending the file.
  REQUIRE(files.open(2, 22, directory.path() + "/2.img", 50'000));
  CHECK(read_all(held->descriptor(), 50'000) == bytes_of(50'000, 1));
  CHECK_FALSE(files.open(1, 11, path, 50'000));  // Gone for new requests.

  // Closed when the last holder lets go: the descriptor number no longer refers to an open file.
  const int descriptor = held->descriptor();
  struct stat status {};
  REQUIRE(::fstat(descriptor, &status) == 0);
  held.reset();
  CHECK(::fstat(descriptor, &status) != 0);
}

}  // namespace edgecache::net
