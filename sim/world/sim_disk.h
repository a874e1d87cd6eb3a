#pragma once
// A simulated host's disk: named files that outlive the host's incarnations, behind the Storage interface
// that node code uses (core/storage.h), with the faults real disks have as named switches. Operations run
// one at a time in the order asked, each write taking the disk's write latency; a write becomes durable, and
// its completion reaches the node, when its turn ends (at once, without the cost of an event on a slow host:
// see land()). A crash loses every operation still queued.
//
// Faults, each undone by repair() except the one-shot ones:
//   slow(latency)  every write takes `latency` instead of the healthy latency;
//   fill()         every write fails with no_space (ENOSPC) and lands nothing;
//   lose()         writes are acknowledged but sit in a volatile write cache: a crash loses every file
//                  written since (a disk that lies about fsync);
//   tear()         one-shot: the next write lands only its first half, yet reports success (a torn write);
//   flip(rng)      one-shot: one bit of one stored file flips now (bit rot), found when the file is read.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/storage.h"
#include "sim/world/random.h"
#include "sim/world/world.h"

namespace edgecache::sim {

struct SimDiskCounters {
  std::uint64_t writes = 0;          // Writes that landed (torn ones included).
  std::uint64_t failed_writes = 0;   // Writes refused for a full disk.
  std::uint64_t lost_writes = 0;     // Queued writes and volatile files lost by crashes.
  std::uint64_t torn_writes = 0;
  std::uint64_t flipped_bits = 0;
};

class SimDisk {
 public:
  // The disk of host `host` in `world`, whose healthy writes take `write_latency_us`.
  // REQUIRES: write_latency_us >= 0; `world` outlives the disk.
  SimDisk(World& world, NodeId host, TimeUs write_latency_us);
  ~SimDisk();
  SimDisk(const SimDisk&) = delete;
  SimDisk& operator=(const SimDisk&) = delete;

  // Returns the Storage a new incarnation of the host uses, valid until the next attach(). The Storage an
  // earlier attach() returned is destroyed, so whatever used it must be gone; its queued operations are
  // lost, as by power_loss().
  Storage& attach();

  // The host went down: queued operations are lost, and so are files still in a volatile write cache.
  void power_loss();

  void slow(TimeUs write_latency_us);
  void fill();
  void lose();
  void tear();
  // Flips one bit of one stored file chosen with `rng`; returns the file's name, or "" if the disk is empty.
  std::string flip(Rng& rng);
  // Ends slow, fill and lose (files already in the volatile cache become durable); a pending tear stays.
  void repair();

  bool full() const { return full_; }
  // The files as they are now, by name.
  struct File {
    Body body;
    std::int64_t written_order = 0;
    bool is_volatile = false;  // In the write cache only: a crash loses it.
  };
  const std::map<std::string, File>& files() const { return files_; }
  const SimDiskCounters& counters() const { return counters_; }

 private:
  class Port;
  struct Operation {
    bool is_write = false;
    std::string name;
    Body body;
    Storage::WriteDone done;
  };

  void enqueue(Operation operation);
  void run_next();
  void land(Operation& operation);

  World& world_;
  NodeId host_;
  TimeUs healthy_latency_us_;
  TimeUs latency_us_;
  bool full_ = false;
  bool losing_ = false;
  bool tear_next_ = false;
  std::uint64_t generation_ = 0;  // Bumped by power loss, so a queued operation of an earlier life is ignored.
  std::int64_t next_written_order_ = 0;
  std::deque<Operation> queue_;
  bool running_ = false;  // An operation's turn is under way (a completion event is scheduled).
  std::map<std::string, File> files_;
  std::unique_ptr<Port> port_;
  SimDiskCounters counters_;
};

}  // namespace edgecache::sim
