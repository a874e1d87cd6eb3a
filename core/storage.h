#pragma once
// A node's disk, as narrow as the disk cache needs it: one flat directory of named files, listed and read
// once at start-up, written and removed afterwards without waiting. The real daemon's implementation keeps
// files under --data-dir and writes them on a background thread (net/file_storage.h); the simulator's models
// a disk with write latency, a full disk, writes lost by a crash, torn writes and flipped bits
// (sim/disk/sim_storage.h). Node code reaches the disk through this and nothing else, in the spirit of
// LevelDB's Env.
//
// Writes and removals take effect in the order they were asked for, so a removal asked for after a write of
// the same name removes what that write wrote.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/image_bytes.h"

namespace edgecache {

// Why a write failed. A failed write leaves nothing under its name (an earlier file of that name stays).
enum class StorageError : std::uint8_t {
  none = 0,
  no_space = 1,  // The disk is full (ENOSPC, EDQUOT).
  io_error = 2,  // Anything else: EIO, a read-only file system, a vanished directory.
};
const char* storage_error_name(StorageError error);

struct StoredFile {
  std::string name;
  std::uint64_t size_bytes = 0;
  // Orders files by when they were written, oldest first (a modification time, a write counter); equal
  // values are allowed and are broken by the caller.
  std::int64_t written_order = 0;
};

struct StoredRead {
  Body body;           // Null when the read failed.
  std::string error;   // Why it failed, for a log line.
};

class Storage {
 public:
  using WriteDone = std::function<void(StorageError error)>;

  virtual ~Storage() = default;

  // Returns every file, in no particular order. Called at start-up, before any write.
  virtual std::vector<StoredFile> list() = 0;

  // Returns the whole contents of file `name`, as they are on the disk now (a torn or flipped file reads
  // back torn or flipped). Called at start-up, before any write.
  virtual StoredRead read(const std::string& name) = 0;

  // Writes `body` under `name`, replacing any file of that name as one step: a reader sees the old file or
  // the new one, never a mixture (unless the disk itself tears it). Returns at once; `done` is called later,
  // as an event of the node (never from inside this call), once the file is durable or the write failed. It
  // is not called at all if the node crashes or shuts down first: such a write may or may not have landed.
  virtual void write(std::string name, Body body, WriteDone done) = 0;

  // Removes file `name` if it exists. Returns at once; failures are the storage's to log, since a file left
  // behind costs only space and the next start-up sorts it out.
  virtual void remove(std::string name) = 0;
};

// Forwards every call to another Storage, so a test overrides just the call it wants to break.
class ForwardingStorage : public Storage {
 public:
  explicit ForwardingStorage(Storage& target) : target_(target) {}

  std::vector<StoredFile> list() override { return target_.list(); }
  StoredRead read(const std::string& name) override { return target_.read(name); }
  void write(std::string name, Body body, WriteDone done) override {
    target_.write(std::move(name), std::move(body), std::move(done));
  }
  void remove(std::string name) override { target_.remove(std::move(name)); }

 private:
  Storage& target_;
};

}  // namespace edgecache
