// The daemon's Storage over a directory (net/file_storage.h). Method: drive a FileStorage through its
// interface, running its io_context until the writer's completions have run, and then look at the directory
// itself: which names exist, with which bytes, and whether a temporary file is left. Failures are real: a
// file name taken by a directory makes the rename fail, and as root a tiny tmpfs fills up for ENOSPC.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "net/file_storage.h"
#include "tests/net/cluster_harness.h"
#include "tests/net/disk_fixtures.h"

namespace edgecache::net {
namespace {

namespace fs = std::filesystem;

Body bytes_of(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t index = 0; index < size; ++index) bytes[index] = static_cast<std::uint8_t>(seed + index * 13);
  return make_body(std::move(bytes));
}

std::set<std::string> names_in(const std::string& directory) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
  return names;
}

// One test's storage with everything around it. The io_context is declared first, so it outlives the storage.
struct StorageScratch {
  testing::TempDirectory directory;
  const std::string data = directory.path() + "/data";
  std::ostringstream log;
  Logger logger{log, 1, "edge", LogLevel::debug};
  boost::asio::io_context context;
  std::optional<FileStorage> storage{std::in_place, data, context, logger};
  std::vector<std::pair<std::string, StorageError>> completions;

  // A completion handler that records which write completed, and how.
  Storage::WriteDone record(std::string name) {
    return [this, name](StorageError error) { completions.emplace_back(name, error); };
  }
  bool settle() {
    return testing::run_until(context, [&] { return storage->unfinished_operations() == 0; });
  }
};

}  // namespace

TEST_CASE("file storage: writes and removals land in the order asked, under their final names", "[net][file_storage]") {
  StorageScratch scratch;
  FileStorage& storage = *scratch.storage;
  REQUIRE_FALSE(storage.open());
  const Body first = bytes_of(5000, 1);
  const Body second = bytes_of(7000, 2);
  storage.write("a.img", first, scratch.record("a first"));
  storage.write("b.img", bytes_of(100, 3), scratch.record("b"));
  storage.remove("a.img");
  storage.write("a.img", second, scratch.record("a second"));
  storage.remove("missing.img");  // Nothing to remove is no failure.
  CHECK(scratch.completions.empty());  // Never from inside write().
  CHECK(storage.unfinished_operations() == 5);
  REQUIRE(scratch.settle());

  using Completion = std::pair<std::string, StorageError>;
  CHECK(scratch.completions == std::vector<Completion>{{"a first", StorageError::none},
                                                       {"b", StorageError::none},
                                                       {"a second", StorageError::none}});
  CHECK(names_in(scratch.data) == std::set<std::string>{"a.img", "b.img"});
  const StoredRead read = storage.read("a.img");
  REQUIRE(read.body);
  CHECK(read.body->checksum() == second->checksum());
  CHECK(storage.queued_writes() == 0);
  CHECK(scratch.log.str().find("cannot") == std::string::npos);

  std::map<std::string, StoredFile> listed;
  for (const StoredFile& file : storage.list()) listed[file.name] = file;
  REQUIRE(listed.size() == 2);
  CHECK(listed["a.img"].size_bytes == second->size());
  CHECK(listed["b.img"].size_bytes == 100);
  // Modification times order the files; a coarse clock may give two quick writes the same one.
  CHECK(listed["b.img"].written_order <= listed["a.img"].written_order);
  CHECK(listed["b.img"].written_order > 0);
}

TEST_CASE("file storage: list deletes an earlier run's temporary files and skips what is not a file", "[net][file_storage]") {
  StorageScratch scratch;
  fs::create_directories(scratch.data + "/lost+found");
  std::ofstream(scratch.data + "/7.0000000000000001.img" + std::string(temporary_file_marker)) << "half";
  std::ofstream(scratch.data + "/kept.img") << "whole";
  FileStorage& storage = *scratch.storage;
  REQUIRE_FALSE(storage.open());

  const std::vector<StoredFile> files = storage.list();
  REQUIRE(files.size() == 1);
  CHECK(files[0].name == "kept.img");
  CHECK(files[0].size_bytes == 5);
  CHECK(names_in(scratch.data) == std::set<std::string>{"kept.img", "lost+found"});
  CHECK(scratch.log.str().find("unfinished write from an earlier run") != std::string::npos);
  const StoredRead missing = storage.read("nothing.img");
  CHECK_FALSE(missing.body);
  CHECK_FALSE(missing.error.empty());
}

TEST_CASE("file storage: an unusable directory is an error naming the flag", "[net][file_storage]") {
  testing::TempDirectory directory;
  const std::string blocker = directory.path() + "/a-file";
  std::ofstream(blocker) << "not a directory";
  std::ostringstream log;
  Logger logger(log, 1, "edge", LogLevel::debug);
  boost::asio::io_context context;
  FileStorage storage(blocker + "/data", context, logger);
  const std::optional<std::string> error = storage.open();
  REQUIRE(error);
  CHECK(error->find("--data-dir") != std::string::npos);
  CHECK(error->find(blocker) != std::string::npos);
}

TEST_CASE("file storage: a failed write is an io_error, logged, and leaves no temporary file", "[net][file_storage]") {
  StorageScratch scratch;
  FileStorage& storage = *scratch.storage;
  REQUIRE_FALSE(storage.open());
  // A directory holds the name, so renaming the finished temporary file onto it fails (EISDIR).
  fs::create_directories(scratch.data + "/taken.img/inside");
  storage.write("taken.img", bytes_of(3000, 4), scratch.record("taken"));
  storage.write("free.img", bytes_of(3000, 5), scratch.record("free"));
  REQUIRE(scratch.settle());

  using Completion = std::pair<std::string, StorageError>;
  CHECK(scratch.completions ==
        std::vector<Completion>{{"taken", StorageError::io_error}, {"free", StorageError::none}});
  CHECK(names_in(scratch.data) == std::set<std::string>{"free.img", "taken.img"});
  CHECK(fs::is_directory(scratch.data + "/taken.img"));
  CHECK(scratch.log.str().find("cannot write " + scratch.data + "/taken.img") != std::string::npos);
}

TEST_CASE("file storage: no completion runs once the storage is gone", "[net][file_storage]") {
  StorageScratch scratch;
  REQUIRE_FALSE(scratch.storage->open());
  for (int index = 0; index < 8; ++index) {
    scratch.storage->write(std::to_string(index) + ".img", bytes_of(256 * 1024, static_cast<std::uint8_t>(index)),
                           scratch.record(std::to_string(index)));
  }
  // The destructor drops what is queued and waits for the write under way, whose completion is then posted
  // to the context but must not reach the handler.
  scratch.storage.reset();
  scratch.context.poll();
  CHECK(scratch.completions.empty());
  // Whatever landed landed whole: no temporary file, and every file has its full size.
  for (const auto& entry : fs::directory_iterator(scratch.data)) {
    CHECK(entry.path().filename().string().find(temporary_file_marker) == std::string::npos);
    CHECK(entry.file_size() == 256 * 1024);
  }
}

TEST_CASE("file storage: a full disk is no_space, and the failed write frees what it took", "[net][file_storage][root]") {
  if (const auto missing = testing::root_missing()) {
    WARN("skipped: " << *missing);
    return;
  }
  // Declared in the order that unmounts last: the storage keeps the directory open until it is destroyed.
  testing::TempDirectory directory;
  const std::string data = directory.path() + "/data";
  fs::create_directories(data);
  const testing::TmpfsMount tmpfs(data, 64);
  if (tmpfs.failure()) {
    WARN("skipped: " << *tmpfs.failure());
    return;
  }
  std::ostringstream log;
  Logger logger(log, 1, "edge", LogLevel::debug);
  boost::asio::io_context context;
  FileStorage storage(data, context, logger);
  REQUIRE_FALSE(storage.open());
  std::vector<std::pair<std::string, StorageError>> completions;
  storage.write("large.img", bytes_of(200 * 1024, 6), [&](StorageError error) { completions.emplace_back("large", error); });
  storage.write("small.img", bytes_of(16 * 1024, 7), [&](StorageError error) { completions.emplace_back("small", error); });
  REQUIRE(testing::run_until(context, [&] { return storage.unfinished_operations() == 0; }));

  using Completion = std::pair<std::string, StorageError>;
  CHECK(completions == std::vector<Completion>{{"large", StorageError::no_space}, {"small", StorageError::none}});
  CHECK(names_in(data) == std::set<std::string>{"small.img"});
  CHECK(log.str().find("No space left on device") != std::string::npos);
}

}  // namespace edgecache::net
