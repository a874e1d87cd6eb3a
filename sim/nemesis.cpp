#include "sim/nemesis.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/assert.h"

namespace edgecache::sim {

Nemesis::Nemesis(const NemesisOptions& options, const LinkOptions& network, const ClusterLayout& layout, Rng random)
    : options_(options), network_(network), layout_(layout), random_(random) {}

std::optional<TimeUs> Nemesis::first_tick_us() const {
  if (!options_.enabled || options_.stop_ms <= options_.start_ms) return std::nullopt;
  return ms_to_us(options_.start_ms);
}

std::optional<TimeUs> Nemesis::next_tick_us(TimeUs now) const {
  TimeUs next = now + ms_to_us(options_.interval_ms);
  if (next >= ms_to_us(options_.stop_ms)) return std::nullopt;
  return next;
}

void Nemesis::tick(TimeUs now, const HostStates& hosts, const std::function<void(const NemesisFault&)>& execute) {
  // Each kind draws in a fixed order, so the same seed gives the same faults.
  const std::pair<FaultKind, double> kinds[] = {
      {FaultKind::crash, options_.crash_probability},       {FaultKind::pause, options_.pause_probability},
      {FaultKind::partition, options_.partition_probability}, {FaultKind::isolate, options_.isolate_probability},
      {FaultKind::cut, options_.cut_probability},           {FaultKind::degrade, options_.degrade_probability},
      {FaultKind::clock, options_.clock_probability},       {FaultKind::slow, options_.slow_probability},
      {FaultKind::hold, options_.hold_probability},         {FaultKind::disk_full, options_.disk_probability},
  };
  for (const auto& [kind, probability] : kinds) {
    if (!random_.chance(probability)) continue;
    if (std::optional<NemesisFault> chosen = choose(kind, now, hosts)) execute(*chosen);
  }
}

void Nemesis::undone(const NemesisFault& chosen) {
  switch (chosen.fault.kind) {
    case FaultKind::crash:
    case FaultKind::pause: std::erase(down_, chosen.target); break;
    case FaultKind::partition:
    case FaultKind::isolate:
    case FaultKind::cut: network_fault_ = false; break;
    case FaultKind::degrade: degraded_ = false; break;
    case FaultKind::slow: std::erase(slowed_, chosen.target); break;
    case FaultKind::hold: holding_ = false; break;
    case FaultKind::disk_slow:
    case FaultKind::disk_full:
    case FaultKind::disk_lose: std::erase(broken_disks_, chosen.target); break;
    default: EC_ASSERT(false, "only a fault with an undo is undone");
  }
}

NodeId Nemesis::pick(const std::vector<NodeId>& from) { return from[random_.below(from.size())]; }

void Nemesis::pick_link(const HostStates& hosts, Fault& fault) {
  const NodeId from = pick(layout_.edges);
  NodeId to = from;
  while (to == from) to = pick(layout_.edges);
  fault.from = hosts.name(from);
  fault.to = hosts.name(to);
}

std::vector<std::vector<std::string>> Nemesis::two_sides(const HostStates& hosts) {
  // Each edge and the canonical falls on one of two random sides, and the clients stay with everyone's
  // first side so the workload keeps reaching some edges.
  std::vector<std::string> sides[2];
  for (NodeId edge : layout_.edges) sides[random_.below(2)].push_back(hosts.name(edge));
  if (sides[0].empty() || sides[1].empty()) {
    const std::string& moved = hosts.name(pick(layout_.edges));
    for (auto& side : sides) std::erase(side, moved);
    (sides[0].empty() ? sides[0] : sides[1]).push_back(moved);
  }
  sides[random_.below(2)].push_back(hosts.name(layout_.canonical));
  for (NodeId client : layout_.clients) sides[0].push_back(hosts.name(client));
  return {sides[0], sides[1]};
}

std::optional<NemesisFault> Nemesis::choose(FaultKind kind, TimeUs now, const HostStates& hosts) {
  NemesisFault chosen;
  chosen.undo_at_us = std::min(now + ms_to_us(options_.fault_duration_ms), ms_to_us(options_.stop_ms));
  Fault& fault = chosen.fault;
  fault.kind = kind;
  switch (kind) {
    case FaultKind::crash:
    case FaultKind::pause: {
      std::vector<NodeId> targets = layout_.edges;
      if (options_.include_canonical) targets.push_back(layout_.canonical);
      std::erase_if(targets, [&](NodeId id) {
        return !hosts.is_running(id) || std::find(down_.begin(), down_.end(), id) != down_.end();
      });
      if (targets.empty()) return std::nullopt;
      chosen.target = pick(targets);
      fault.node = hosts.name(chosen.target);
      down_.push_back(chosen.target);
      chosen.undo = host_fault(0, kind == FaultKind::crash ? FaultKind::restart : FaultKind::resume, fault.node);
      return chosen;
    }
    case FaultKind::partition:
    case FaultKind::isolate:
    case FaultKind::cut: {
      if (network_fault_ || layout_.edges.size() < 2) return std::nullopt;
      if (kind == FaultKind::partition) {
        fault.groups = two_sides(hosts);
      } else if (kind == FaultKind::isolate) {
        fault.node = hosts.name(pick(layout_.edges));
      } else {
        pick_link(hosts, fault);
      }
      network_fault_ = true;
      chosen.undo.emplace().kind = FaultKind::heal;
      return chosen;
    }
    case FaultKind::degrade: {
      if (degraded_) return std::nullopt;
      fault.link = network_;
      fault.link.loss_probability = 0.05 + 0.25 * random_.unit();
      fault.link.latency_ms_mean = network_.latency_ms_mean * (2.0 + 18.0 * random_.unit());
      fault.link.jitter_ms = fault.link.latency_ms_mean;
      degraded_ = true;
      chosen.undo.emplace().kind = FaultKind::restore;
      return chosen;
    }
    case FaultKind::clock: {
      fault.node = hosts.name(pick(layout_.edges));
      fault.offset_ms = static_cast<std::int64_t>(random_.below(1000));
      fault.drift_ppm = (random_.unit() * 2.0 - 1.0) * 50000.0;
      return chosen;
    }
    case FaultKind::slow: {
      std::vector<NodeId> targets = layout_.edges;
      if (options_.include_canonical) targets.push_back(layout_.canonical);
      std::erase_if(targets, [&](NodeId id) { return std::find(slowed_.begin(), slowed_.end(), id) != slowed_.end(); });
      if (targets.empty()) return std::nullopt;
      chosen.target = pick(targets);
      fault.node = hosts.name(chosen.target);
      // From 1 ms to 20 ms per event: from a sluggish host to one that cannot keep up with its load.
      fault.factor = 10 + static_cast<std::int64_t>(random_.below(191));
      slowed_.push_back(chosen.target);
      chosen.undo = host_fault(0, FaultKind::recover, fault.node);
      return chosen;
    }
    case FaultKind::hold: {
      if (holding_ || layout_.edges.size() < 2) return std::nullopt;
      // Half the time the edges split in two sides, as for a partition; otherwise one link between edges.
      if (random_.chance(0.5)) {
        fault.groups = two_sides(hosts);
      } else {
        pick_link(hosts, fault);
      }
      holding_ = true;
      Fault& release = chosen.undo.emplace();
      release.kind = FaultKind::release;
      release.shuffled = random_.chance(0.5);
      return chosen;
    }
    case FaultKind::disk_slow:
    case FaultKind::disk_full:
    case FaultKind::disk_lose:
    case FaultKind::disk_tear:
    case FaultKind::disk_flip: return choose_disk_fault(chosen, hosts);
    case FaultKind::restart:
    case FaultKind::resume:
    case FaultKind::heal:
    case FaultKind::restore:
    case FaultKind::forge:
    case FaultKind::recover:
    case FaultKind::release:
    case FaultKind::disk_repair: break;
  }
  EC_ASSERT(false, "the nemesis draws only faults, never their undo, and never forges");
  return std::nullopt;
}

std::optional<NemesisFault> Nemesis::choose_disk_fault(NemesisFault& chosen, const HostStates& hosts) {
  // One draw for the disk kind, since they share one probability: a lasting fault (slow, full, lying) that
  // is repaired later, or a one-shot one (a torn write, a flipped bit) that leaves only damage behind.
  constexpr FaultKind disk_kinds[] = {FaultKind::disk_slow, FaultKind::disk_full, FaultKind::disk_lose,
                                      FaultKind::disk_tear, FaultKind::disk_flip};
  Fault& fault = chosen.fault;
  fault.kind = disk_kinds[random_.below(std::size(disk_kinds))];
  const bool lasting = fault.kind == FaultKind::disk_slow || fault.kind == FaultKind::disk_full ||
                       fault.kind == FaultKind::disk_lose;
  std::vector<NodeId> targets = layout_.edges;
  if (lasting) {
    std::erase_if(targets, [&](NodeId id) { return std::find(broken_disks_.begin(), broken_disks_.end(), id) != broken_disks_.end(); });
  }
  if (targets.empty()) return std::nullopt;
  chosen.target = pick(targets);
  fault.node = hosts.name(chosen.target);
  if (fault.kind == FaultKind::disk_slow) fault.factor = 10 + static_cast<std::int64_t>(random_.below(991));
  if (lasting) {
    broken_disks_.push_back(chosen.target);
    chosen.undo = host_fault(0, FaultKind::disk_repair, fault.node);
  }
  return chosen;
}

}  // namespace edgecache::sim
