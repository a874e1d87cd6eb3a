#pragma once
// The simulated world: hosts (named nodes built by factories), a network of directed links with a fault
// model, per-host clocks, and one event queue ordered by (time, sequence number). Everything is driven by
// one seed. The API pairs its verbs the way turmoil does: crash/restart, pause/resume, partition/heal,
// cut/heal, degrade/restore.
//
// Nothing here knows about edges or images; sim/cluster.h builds the edge-cache cluster on top.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/node.h"
#include "sim/world/host_states.h"
#include "sim/world/link_options.h"
#include "sim/world/random.h"
#include "sim/world/world_observer.h"

namespace edgecache::sim {

// Builds a host's node. Called at add_host() and at every restart, so a restart starts from scratch. The
// node must act only through `env`, which outlives it.
using HostFactory = std::function<std::unique_ptr<Node>(Env& env)>;

class World final : public HostStates {
 public:
  // `network` is the default for every link.
  World(std::uint64_t seed, LinkOptions network);
  ~World() override;
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Adds a host with a caller-chosen id and name and starts it now (its on_start runs as the next event at
  // the current time). REQUIRES: id and name unused.
  void add_host(NodeId id, std::string name, HostFactory factory);

  void add_observer(WorldObserver& observer);

  // Faults. Each takes effect at the current simulated time; verbs that do not apply (crash of a crashed
  // host, resume of a running one) do nothing and return false.
  bool crash(NodeId id);
  bool restart(NodeId id);  // Also starts a crashed host; a running one is crashed first.
  bool pause(NodeId id);
  bool resume(NodeId id);
  // Hosts in different groups cannot exchange messages; hosts in no group form one more group.
  void partition(const std::vector<std::vector<NodeId>>& groups);
  void isolate(NodeId id);
  void cut(NodeId from, NodeId to);  // One way.
  void heal();                       // Undoes partition, isolate and cut.
  // Messages between hosts in different groups (hosts in no group form one more group), or on the one
  // directed link from -> to, are kept when they arrive instead of being delivered: a link that stalls and
  // later delivers a burst of stale messages, which a dropping partition never shows. Holds add up until
  // release().
  void hold(const std::vector<std::vector<NodeId>>& groups);
  void hold_link(NodeId from, NodeId to);
  // Ends every hold and delivers what was kept, now: in send order, or in an order drawn from the seed's
  // release stream when `shuffled`. A kept message still meets the faults in force at release (a crashed
  // destination, a partition).
  void release(bool shuffled);
  std::size_t held_count() const;
  void degrade(NodeId from, NodeId to, const LinkOptions& link);
  void degrade_all(const LinkOptions& link);
  void restore(NodeId from, NodeId to);
  void restore_all();
  // The host's clock jumps forward by `offset_jump_us` (>= 0: monotonic clocks never go back) and then
  // runs at (1 + drift_ppm / 1e6) times the true rate.
  void set_clock(NodeId id, TimeUs offset_jump_us, double drift_ppm);
  // A gray failure: from now on the host is busy for `busy_us_per_event` after each event it handles
  // (message, timer, input), and events that come due while it is busy wait their turn in order. It stays
  // up, answers and keeps its state; it is late. 0 makes it as fast as the others again (a healthy host's
  // work takes no simulated time). The slowness belongs to the machine, so it outlives a crash and restart.
  // REQUIRES: busy_us_per_event >= 0.
  void slow(NodeId id, TimeUs busy_us_per_event);

  // Runs `action` at global time `at_us` (>= now) as an event of its own, ordered with the others.
  void schedule(TimeUs at_us, std::function<void()> action);

  // Runs `action` on host `id`'s node now, as an input to it (a client submitting a request). If the host
  // is paused, the action waits for resume. Returns false (and drops the action) if the host is down.
  bool inject(NodeId id, std::function<void(Node&)> action);

  // Runs events in order until none is due at or before `until_us`; then now() == until_us.
  void run_until(TimeUs until_us);
  // Runs one event if any; returns false if the queue is empty.
  bool step();

  TimeUs now() const { return now_; }
  std::uint64_t events_processed() const { return events_processed_; }
  std::uint64_t seed() const { return seed_; }

  // Host queries.
  bool is_up(NodeId id) const;      // Started and not crashed (paused hosts are up).
  bool is_paused(NodeId id) const;
  bool is_running(NodeId id) const override { return is_up(id) && !is_paused(id); }
  // True if a message sent now from `from` would not be cut or held (ignores loss, up/down state).
  bool link_open(NodeId from, NodeId to) const override;
  // The node's current incarnation, or nullptr if down.
  Node* node(NodeId id);
  const Node* node(NodeId id) const;
  const std::string& name(NodeId id) const override;
  std::optional<NodeId> find(const std::string& name) const;
  std::vector<NodeId> host_ids() const;  // Ascending.
  // The host's local clock reading now.
  TimeUs local_time(NodeId id) const;
  // The id of the message an observer is being told about in on_send, on_deliver or on_drop. Messages are
  // numbered from 1 in the order they are sent (lost ones too), and both copies of a duplicated message
  // carry the id of its one send, so a trace can pair every delivery and drop with its send.
  std::uint64_t observed_message_id() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint64_t seed_;
  TimeUs now_ = 0;
  std::uint64_t events_processed_ = 0;
};

}  // namespace edgecache::sim
