#pragma once
// The daemon's Storage (core/storage.h): one flat directory, --data-dir, with one file per name.
//
// list() and read() run on the caller's thread: they are called once at start-up, before the event loop
// runs, when blocking costs nothing. write() and remove() never touch the disk on the caller's thread. They
// hand the work to one background writer thread through a bounded FIFO queue, so the event loop never
// waits on the disk however slow it is, and one thread keeps them in the order they were asked for. The
// writer writes a file under a temporary name, fsyncs it, renames it into place and fsyncs the directory,
// so a name holds either its old file or the whole new one, durably, by the time `done` runs. It posts each
// completion to the io_context, where `done` runs as an ordinary event of the node's thread; failures are
// logged there too, since the Logger belongs to that thread.
//
// Shutting down drops the operations still queued and finishes only the one under way, so a slow disk
// cannot hold up a SIGTERM by more than one write. The contract allows it: a write whose `done` never ran
// may or may not have landed, and a file left behind by a dropped removal is sorted out by the next
// start-up. No completion runs once the FileStorage is destroyed: each one checks a liveness flag that the
// destructor clears on the node's thread, the only thread that runs completions.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/storage.h"
#include "net/log.h"

namespace edgecache::net {

// Writes queued for the writer or under way. The disk mirror already holds at most max_pending_disk_writes
// writes of cached images, but forgets a write when its image is evicted while the writer still holds it; the
// disk cache (net/disk_cache.h) therefore checks queued_writes() against this bound before it lets the mirror
// start a write, and a write beyond it is a programmer error. Each queued write holds one body in memory.
constexpr std::size_t max_queued_disk_writes = 32;

// Removals queued for the writer or under way. A removal holds only a name, tens of bytes, so the bound is
// generous; a removal beyond it is dropped and logged, which the Storage contract allows: the file is left
// behind and the next start-up sorts it out.
constexpr std::size_t max_queued_disk_removals = 65536;

// Any name containing this is a temporary file of a write that has not finished. Cache file names
// ({id}.{hex}.img) never contain it.
constexpr std::string_view temporary_file_marker = ".tmp";

class FileStorage final : public Storage {
 public:
  // `context` and `logger` must outlive the storage, and `context` must run on the thread that calls this
  // storage's methods (the daemon's single thread): completions run there. Nothing touches the disk until
  // open().
  FileStorage(std::string directory, boost::asio::io_context& context, Logger& logger);
  // Drops the queued operations, waits for the one under way, and stops the writer. Completions already
  // posted to the io_context do nothing when they run.
  ~FileStorage() override;
  FileStorage(const FileStorage&) = delete;
  FileStorage& operator=(const FileStorage&) = delete;

  // Creates the directory if needed, opens it and starts the writer. Returns a sentence naming --data-dir
  // and the path if the directory cannot be created, opened or listed, or nothing. Call once, before
  // anything else.
  std::optional<std::string> open();

  // Returns every regular file of the directory with its size and modification time in nanoseconds as its
  // written order; other entries (subdirectories, sockets) are not this storage's and are left alone.
  // Deletes and logs the temporary files of writes an earlier run did not finish. An entry that cannot be
  // examined is listed with size 0, which the mirror drops.
  std::vector<StoredFile> list() override;
  // Reads the whole file, up to max_image_bytes; a larger or unreadable file is a failed read.
  StoredRead read(const std::string& name) override;
  // REQUIRES: open() succeeded, and queued_writes() < max_queued_disk_writes. The bytes of `body` are read
  // on the writer thread; that is safe because the daemon's bodies always hold their bytes (a deferred body,
  // which makes its bytes on first read, exists only in the single-threaded simulator).
  void write(std::string name, Body body, WriteDone done) override;
  // Removing a file that does not exist is not a failure. REQUIRES: open() succeeded.
  void remove(std::string name) override;

  const std::string& directory() const { return directory_; }
  // The path of file `name` in the directory.
  std::string path_of(const std::string& name) const;
  // Writes queued for the writer or under way (the writer's count, read under its lock).
  std::size_t queued_writes() const;
  // Writes and removals asked for whose completion has not run yet on the node's thread. Zero means the
  // disk holds everything asked for so far (tests wait for that).
  std::size_t unfinished_operations() const { return unfinished_operations_; }

 private:
  struct Operation {
    bool is_write = false;
    std::string name;
    Body body;       // Writes only.
    WriteDone done;  // Writes only.
  };

  void run_writer();
  // Carries out `operation` on the writer thread; returns 0 or the errno of the step that failed.
  int perform(const Operation& operation) const;
  int write_durably(const std::string& name, const Body& body) const;
  // Runs on the node's thread once `operation` is done: logs a failure and calls `done`.
  void complete(Operation& operation, int error_number);

  std::string directory_;
  boost::asio::io_context& context_;
  Logger& logger_;
  int directory_descriptor_ = -1;  // Open for fsync of the directory after each rename.
  std::size_t unfinished_operations_ = 0;  // Node thread only.
  // Cleared by the destructor on the node's thread; completions check it there before touching `this`.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  mutable std::mutex mutex_;  // Guards everything below.
  std::condition_variable wake_writer_;
  std::deque<Operation> queue_;
  std::size_t queued_writes_ = 0;    // In queue_ or under way.
  std::size_t queued_removals_ = 0;  // In queue_ or under way.
  bool stopping_ = false;
  std::thread writer_;  // Started by open(); joined by the destructor.
};

}  // namespace edgecache::net
