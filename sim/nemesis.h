#pragma once
// The random nemesis: every interval_ms while it is active, each fault kind fires with its probability and
// the nemesis chooses the fault (which host, which sides, how bad a link) from its own seed stream. It only
// decides; the run applies each fault, schedules its undo and tells the nemesis when the undo fired, so the
// same decisions can be tested without a world and the run keeps the one place where faults take effect.
//
// The draws happen in a fixed order (the kinds in NemesisOptions order, each fault's choices right after its
// kind fires), and each choice sees the effect of the fault before it in the same tick: the same seed gives
// the same faults, and the same trace.

#include <functional>
#include <optional>
#include <vector>

#include "core/types.h"
#include "sim/checkers/checker.h"
#include "sim/scenario.h"
#include "sim/world/host_states.h"
#include "sim/world/random.h"

namespace edgecache::sim {

// A fault the nemesis chose, with the fault that undoes it, if any, and when that is due.
struct NemesisFault {
  Fault fault;
  // Restart, resume, heal, restore, recover, release or disk_repair; none for a clock jump, a torn write or
  // a flipped bit, which the nemesis never undoes. Like the fault, its at_ms is left for the run to stamp
  // with the time it fires.
  std::optional<Fault> undo;
  TimeUs undo_at_us = 0;
  NodeId target = 0;  // The host crashed, paused or slowed, which no other such fault may take until the undo.
};

class Nemesis {
 public:
  // `network` is the scenario's link options, which a degrade worsens. `random` is the run's nemesis stream.
  // REQUIRES: `layout` outlives the nemesis and is filled in before the first tick.
  Nemesis(const NemesisOptions& options, const LinkOptions& network, const ClusterLayout& layout, Rng random);

  // Returns when the first tick is due, or nothing if the nemesis is off or its span is empty.
  std::optional<TimeUs> first_tick_us() const;

  // Returns when the tick after one at `now` is due, or nothing once that would reach stop_ms.
  std::optional<TimeUs> next_tick_us(TimeUs now) const;

  // Runs the tick due at `now`: draws each kind in a fixed order and hands every fault chosen to `execute`,
  // which must apply it (and schedule its undo) before returning, since the next choice reads from `hosts`
  // which hosts are running. A kind that finds nothing to fault (every host already down, the network
  // already cut, the links already degraded) is skipped without further draws.
  void tick(TimeUs now, const HostStates& hosts, const std::function<void(const NemesisFault&)>& execute);

  // Records that the undo of `chosen` fired, so that its host, the network or the links may be faulted
  // again. REQUIRES: `chosen` came from tick() and had an undo.
  void undone(const NemesisFault& chosen);

 private:
  std::optional<NemesisFault> choose(FaultKind kind, TimeUs now, const HostStates& hosts);
  // Fills in a disk fault of a kind drawn here (the options give one probability for all disk kinds).
  std::optional<NemesisFault> choose_disk_fault(NemesisFault& chosen, const HostStates& hosts);
  NodeId pick(const std::vector<NodeId>& from);
  // Sets fault.from and fault.to to two different edges. REQUIRES: at least two edges.
  void pick_link(const HostStates& hosts, Fault& fault);
  // Splits the cluster in two non-empty sides of edges, the canonical on either, the clients on the first.
  std::vector<std::vector<std::string>> two_sides(const HostStates& hosts);

  NemesisOptions options_;
  LinkOptions network_;
  const ClusterLayout& layout_;
  Rng random_;
  std::vector<NodeId> down_;     // Crashed or paused by the nemesis, awaiting undo.
  bool network_fault_ = false;   // A partition, isolation or cut awaiting heal.
  bool degraded_ = false;        // The links degraded, awaiting restore.
  std::vector<NodeId> slowed_;   // Slowed by the nemesis, awaiting recover.
  bool holding_ = false;         // Messages held, awaiting release.
  std::vector<NodeId> broken_disks_;  // Edges whose disk is slow, full or lying, awaiting disk_repair.
};

}  // namespace edgecache::sim
