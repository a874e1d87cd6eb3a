#pragma once
// The edges' simulated disks (cluster.disk): one SimDisk per edge, which outlives the edge's incarnations,
// and one DiskMirror per incarnation, which the edge tells of every cache change. A new incarnation finds
// its disk as the last one left it (less what a crash lost), and loads its cache from it before it starts.
// The run applies disk faults here and reads the figures for its report and expectations.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/disk_mirror.h"
#include "sim/checkers/checker.h"
#include "sim/scenario.h"
#include "sim/world/random.h"
#include "sim/world/sim_disk.h"
#include "sim/world/world.h"

namespace edgecache::sim {

class EdgeDisks {
 public:
  // Tells the run of a mirror's notice on edge `edge`, for its trace.
  using NoticeHandler = std::function<void(NodeId edge, const DiskNotice& notice)>;

  // Makes a disk for each of `edges` when cluster.disk is on, and none otherwise. `flip_seed` seeds the
  // stream that picks which bit a disk_flip flips.
  EdgeDisks(World& world, const ClusterOptions& cluster, const std::vector<NodeId>& edges, std::uint64_t flip_seed,
            NoticeHandler on_notice, bool verify_on_load = true);

  bool enabled() const { return enabled_; }

  // A new incarnation of `edge` starts: its disk loses what was not durable, a fresh mirror loads `cache`
  // from it, and the mirror is returned for the edge to tell of its cache changes (null without disks).
  // `load` receives what the disk held and what was loaded, for the checkers.
  DiskMirror* attach(NodeId edge, LruCache& cache, DiskLoad& load);

  // The host went down: queued writes and volatile files are gone.
  void power_loss(NodeId edge);

  // Applies a disk fault to `edge`'s disk. Returns the name of the file a disk_flip flipped ("" if the
  // disk was empty), and "" for the other kinds. REQUIRES: enabled() and a disk fault kind.
  std::string apply(FaultKind kind, NodeId edge, std::int64_t factor);

  // Figures over every edge and incarnation, for the report.
  DiskMirrorCounters mirror_totals() const;
  SimDiskCounters disk_totals() const;
  // The edges whose mirror was degraded at some point, in id order.
  std::vector<NodeId> ever_degraded() const;
  const DiskMirror* mirror(NodeId edge) const;

 private:
  struct EdgeDisk {
    std::unique_ptr<SimDisk> disk;
    std::unique_ptr<DiskMirror> mirror;  // The current incarnation's.
    DiskMirrorCounters retired;          // Summed over earlier incarnations' mirrors.
    bool ever_degraded = false;
  };
  EdgeDisk& at(NodeId edge);
  const EdgeDisk* find(NodeId edge) const;

  bool enabled_;
  bool verify_on_load_;  // Passed to every mirror (DiskMirror's constructor says what false is for).
  TimeUs write_latency_us_;
  Rng flip_rng_;
  NoticeHandler on_notice_;
  std::vector<NodeId> edges_;
  std::vector<EdgeDisk> disks_;  // Parallel to edges_.
};

}  // namespace edgecache::sim
