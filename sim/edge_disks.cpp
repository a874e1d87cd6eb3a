#include "sim/edge_disks.h"

#include <algorithm>

#include "core/assert.h"

namespace edgecache::sim {

namespace {

void add_counters(DiskMirrorCounters& total, const DiskMirrorCounters& more) {
  total.loaded += more.loaded;
  total.dropped_corrupt += more.dropped_corrupt;
  total.dropped_over_budget += more.dropped_over_budget;
  total.written += more.written;
  total.write_failures += more.write_failures;
  total.writes_skipped += more.writes_skipped;
  total.removed += more.removed;
  total.degraded_episodes += more.degraded_episodes;
}

}  // namespace

EdgeDisks::EdgeDisks(World& world, const ClusterOptions& cluster, const std::vector<NodeId>& edges,
                     std::uint64_t flip_seed, NoticeHandler on_notice, bool verify_on_load)
    : enabled_(cluster.disk),
      verify_on_load_(verify_on_load),
      write_latency_us_(ms_to_us(cluster.disk_write_latency_ms)),
      flip_rng_(Rng::stream(flip_seed, static_cast<std::uint64_t>(StreamTag::disk))),
      on_notice_(std::move(on_notice)) {
  if (!enabled_) return;
  for (NodeId edge : edges) {
    edges_.push_back(edge);
    disks_.push_back(EdgeDisk{std::make_unique<SimDisk>(world, edge, write_latency_us_), nullptr, {}, false});
  }
}

EdgeDisks::EdgeDisk& EdgeDisks::at(NodeId edge) {
  auto found = std::find(edges_.begin(), edges_.end(), edge);
  EC_ASSERT(found != edges_.end(), "only an edge of the cluster has a disk");
  return disks_[static_cast<std::size_t>(found - edges_.begin())];
}

const EdgeDisks::EdgeDisk* EdgeDisks::find(NodeId edge) const {
  auto found = std::find(edges_.begin(), edges_.end(), edge);
  return found == edges_.end() ? nullptr : &disks_[static_cast<std::size_t>(found - edges_.begin())];
}

DiskMirror* EdgeDisks::attach(NodeId edge, LruCache& cache, DiskLoad& load) {
  if (!enabled_) return nullptr;
  EdgeDisk& slot = at(edge);
  if (slot.mirror) add_counters(slot.retired, slot.mirror->counters());
  slot.mirror.reset();
  Storage& storage = slot.disk->attach();
  for (const auto& [name, file] : slot.disk->files()) load.files.emplace_back(name, file.body);
  slot.mirror = std::make_unique<DiskMirror>(storage, [this, edge](const DiskNotice& notice) {
    if (notice.kind == DiskNotice::Kind::degraded) at(edge).ever_degraded = true;
    on_notice_(edge, notice);
  }, verify_on_load_);
  slot.mirror->load(cache);
  for (ImageId id : cache.ids()) load.loaded.emplace_back(id, cache.peek(id));
  load.budget_bytes = cache.budget_bytes();
  return slot.mirror.get();
}

void EdgeDisks::power_loss(NodeId edge) {
  if (enabled_) at(edge).disk->power_loss();
}

std::string EdgeDisks::apply(FaultKind kind, NodeId edge, std::int64_t factor) {
  EC_ASSERT(enabled_, "disk faults are refused at load when the cluster has no disks");
  SimDisk& disk = *at(edge).disk;
  switch (kind) {
    case FaultKind::disk_slow: disk.slow(write_latency_us_ * factor); break;
    case FaultKind::disk_full: disk.fill(); break;
    case FaultKind::disk_lose: disk.lose(); break;
    case FaultKind::disk_tear: disk.tear(); break;
    case FaultKind::disk_flip: return disk.flip(flip_rng_);
    case FaultKind::disk_repair: disk.repair(); break;
    default: EC_ASSERT(false, "not a disk fault");
  }
  return "";
}

DiskMirrorCounters EdgeDisks::mirror_totals() const {
  DiskMirrorCounters total;
  for (const EdgeDisk& slot : disks_) {
    add_counters(total, slot.retired);
    if (slot.mirror) add_counters(total, slot.mirror->counters());
  }
  return total;
}

SimDiskCounters EdgeDisks::disk_totals() const {
  SimDiskCounters total;
  for (const EdgeDisk& slot : disks_) {
    const SimDiskCounters& more = slot.disk->counters();
    total.writes += more.writes;
    total.failed_writes += more.failed_writes;
    total.lost_writes += more.lost_writes;
    total.torn_writes += more.torn_writes;
    total.flipped_bits += more.flipped_bits;
  }
  return total;
}

std::vector<NodeId> EdgeDisks::ever_degraded() const {
  std::vector<NodeId> result;
  for (std::size_t i = 0; i < edges_.size(); ++i) {
    if (disks_[i].ever_degraded) result.push_back(edges_[i]);
  }
  return result;
}

const DiskMirror* EdgeDisks::mirror(NodeId edge) const {
  const EdgeDisk* slot = find(edge);
  return slot == nullptr ? nullptr : slot->mirror.get();
}

}  // namespace edgecache::sim
