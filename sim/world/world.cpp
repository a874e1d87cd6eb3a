// The world's verbs (hosts, faults, links, clocks) and its event loop.
//
// tidy: long file: every verb changes the same host, link and queue state, and the event loop must see each
// change in one place to keep the order of events and random draws, on which every trace hash depends.

#include "sim/world/world.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/assert.h"
#include "sim/world/event_queue.h"
#include "sim/world/host_clock.h"
#include "sim/world/network.h"
#include "sim/world/slab.h"

namespace edgecache::sim {

const char* send_fate_name(SendFate fate) {
  switch (fate) {
    case SendFate::scheduled: return "scheduled";
    case SendFate::lost: return "lost";
    case SendFate::partitioned: return "partitioned";
    case SendFate::duplicated: return "duplicated";
  }
  return "unknown";
}

const char* drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::destination_down: return "destination_down";
    case DropReason::partitioned: return "partitioned";
  }
  return "unknown";
}

const char* host_event_name(HostEvent event) {
  switch (event) {
    case HostEvent::started: return "started";
    case HostEvent::crashed: return "crashed";
    case HostEvent::restarted: return "restarted";
    case HostEvent::paused: return "paused";
    case HostEvent::resumed: return "resumed";
  }
  return "unknown";
}

namespace {

// What a queue entry's slot refers to.
enum class EventKind : std::uint8_t {
  start,      // Slot in `starts`: a node's on_start.
  delivery,   // Slot in `deliveries`: a message arriving.
  timer,      // Slot in `timers`: a timer firing.
  action,     // Slot in `actions`: a schedule() callback.
  injection,  // Slot in `injections`: an inject() callback.
};

constexpr std::uint8_t kind_byte(EventKind kind) { return static_cast<std::uint8_t>(kind); }

// Ids below this are looked up in a flat table, which keeps the per-message lookup to one load for the
// small ids clusters use; larger ids fall back to an ordered map.
constexpr NodeId dense_id_limit = 1U << 16;

// Adds without overflowing, so a node asking for a timer "never" cannot wrap time around.
TimeUs saturating_add(TimeUs base_us, TimeUs delta_us) {
  if (delta_us > std::numeric_limits<TimeUs>::max() - base_us) return std::numeric_limits<TimeUs>::max();
  return base_us + delta_us;
}

}  // namespace

struct World::Impl {
  class SimEnv;

  // One directed link's state. Links are created lazily, so a cluster of n hosts pays only for the pairs
  // that actually talk or were faulted.
  struct Link {
    Rng rng;                // Valid iff has_rng; seeded on first send so new hosts never shift old links.
    bool has_rng = false;
    bool cut = false;       // Set by cut(), cleared by heal().
    bool held = false;      // Set by hold_link(), cleared by release().
    std::unique_ptr<LinkModel> override_model;  // Set by degrade() and restore(); null follows all_links.
  };

  struct Host {
    NodeId id = 0;
    std::uint32_t index = 0;  // Position in `hosts`; events name hosts by index.
    std::string name;
    HostFactory factory;
    Rng rng;
    HostClock clock;
    bool up = false;
    bool paused = false;
    TimeUs busy_us_per_event = 0;  // Non-zero while the host is slow (World::slow).
    TimeUs busy_until_us = 0;      // A slow host handles nothing before this.
    // Bumped whenever the node is destroyed or rebuilt. Events carry the incarnation they were created
    // for, so nothing scheduled for an old incarnation reaches a new one.
    std::uint32_t incarnation = 0;
    bool isolated = false;
    std::uint32_t partition_group = 0;  // 0 is the implicit group of hosts a partition does not list.
    std::uint32_t hold_group = 0;       // The same, for hold().
    std::vector<QueueEntry> backlog;    // Events held while paused, in the order they came due.
    std::vector<Link> outgoing;         // Indexed by destination host index; grown on demand.
    // The env is declared before the node so the node, which may use it until its last breath, dies first.
    std::unique_ptr<Env> env;  // Always a SimEnv.
    std::unique_ptr<Node> node;
  };

  struct Delivery {
    Message message;
    std::uint32_t from_index = 0;
    std::uint32_t to_index = 0;
    std::uint32_t to_incarnation = 0;  // The destination's incarnation at send time.
    std::uint64_t message_id = 0;      // Its number in send order; a duplicate's two copies share it.
    // Set once the message reaches a paused host: it has crossed the network, so a partition that starts
    // while it waits in the backlog no longer drops it.
    bool arrived = false;
  };

  struct TimerSlot {
    Timer timer;
    std::uint32_t host_index = 0;
    std::uint32_t incarnation = 0;
    // Bumped each time the slot is freed; a TimerId carries the generation it was issued with, so a stale
    // id can never cancel a later timer that reuses the slot.
    std::uint32_t generation = 0;
    bool in_use = false;
    bool cancelled = false;
  };

  struct Start {
    std::uint32_t host_index = 0;
    std::uint32_t incarnation = 0;
    bool restarted = false;
  };

  struct Injection {
    std::function<void(Node&)> action;
    std::uint32_t host_index = 0;
    std::uint32_t incarnation = 0;
  };

  Impl(World& owner, std::uint64_t world_seed, const LinkOptions& default_network)
      : world(owner), seed(world_seed), network(default_network), all_links(default_network) {}

  // Lookup.

  // Returns the host with `id`, or null. Const itself because the hosts are owned through pointers; the
  // public overloads below restore const-correctness for callers.
  Host* lookup(NodeId id) const {
    if (id < dense_id_limit) {
      if (id >= dense_index.size() || dense_index[id] == 0) return nullptr;
      return hosts[dense_index[id] - 1].get();
    }
    const auto found = sparse_index.find(id);
    return found == sparse_index.end() ? nullptr : hosts[found->second].get();
  }
  Host* find_host(NodeId id) { return lookup(id); }
  const Host* find_host(NodeId id) const { return lookup(id); }

  Host& require_host(NodeId id) {
    Host* host = lookup(id);
    EC_ASSERT(host != nullptr, "no host has this id");
    return *host;
  }
  const Host& require_host(NodeId id) const {
    const Host* host = lookup(id);
    EC_ASSERT(host != nullptr, "no host has this id");
    return *host;
  }

  Link& outgoing_link(Host& from, std::uint32_t to_index) {
    if (from.outgoing.size() <= to_index) from.outgoing.resize(to_index + 1);
    return from.outgoing[to_index];
  }

  Rng& link_rng(const Host& from, const Host& to, Link& link) {
    if (!link.has_rng) {
      const std::uint64_t tag = (static_cast<std::uint64_t>(from.id) << 32) | to.id;
      link.rng = Rng::stream(seed, static_cast<std::uint64_t>(StreamTag::link), tag);
      link.has_rng = true;
    }
    return link.rng;
  }

  const LinkModel& link_model(const Link& link) const {
    return link.override_model ? *link.override_model : all_links;
  }

  // Numbers each host by the group it is listed in (1, 2, ...; 0 for hosts in none) in the field `group_of`:
  // a partition's groups and a hold's are numbered alike.
  void number_groups(const std::vector<std::vector<NodeId>>& groups, std::uint32_t Host::*group_of) {
    for (const auto& host : hosts) (*host).*group_of = 0;
    std::uint32_t group_number = 0;
    for (const std::vector<NodeId>& group : groups) {
      ++group_number;
      for (const NodeId id : group) {
        Host& host = require_host(id);
        EC_ASSERT(host.*group_of == 0 || host.*group_of == group_number, "a host is in two groups");
        host.*group_of = group_number;
      }
    }
  }

  bool held(const Host& from, const Host& to) const {
    if (!any_hold) return false;
    if (hold_groups_active && from.hold_group != to.hold_group) return true;
    return to.index < from.outgoing.size() && from.outgoing[to.index].held;
  }

  bool blocked(const Host& from, const Host& to) const {
    if (!any_blocking) return false;
    if (from.isolated || to.isolated) return true;
    if (partition_active && from.partition_group != to.partition_group) return true;
    return to.index < from.outgoing.size() && from.outgoing[to.index].cut;
  }

  TimeUs now() const { return world.now_; }

  // Observers. Arguments are only computed by callers after checking that someone listens.

  void notify_send(NodeId from, NodeId to, const Message& message, SendFate fate) {
    for (std::size_t i = 0; i < observers.size(); ++i) observers[i]->on_send(now(), from, to, message, fate);
  }
  void notify_host_event(NodeId id, HostEvent event) {
    for (std::size_t i = 0; i < observers.size(); ++i) observers[i]->on_host_event(now(), id, event);
  }

  // Env operations.

  void send(Host& from, NodeId to_id, Message&& message) {
    EC_ASSERT(to_id != from.id, "a node must not send to itself");
    // Every send is numbered, lost ones included, so a trace can pair each delivery or drop with its send.
    observed_message_id = ++messages_sent;
    Host* to = find_host(to_id);
    if (to == nullptr || blocked(from, *to)) {
      if (!observers.empty()) notify_send(from.id, to_id, message, SendFate::partitioned);
      return;
    }
    Link& link = outgoing_link(from, to->index);
    Rng& rng = link_rng(from, *to, link);
    const LinkModel& model = link_model(link);
    if (rng.chance(model.options().loss_probability)) {
      if (!observers.empty()) notify_send(from.id, to_id, message, SendFate::lost);
      return;
    }
    const TimeUs delay_us = model.draw_delay_us(rng, message);
    const bool duplicated = rng.chance(model.options().duplicate_probability);
    if (!duplicated) {
      if (!observers.empty()) notify_send(from.id, to_id, message, SendFate::scheduled);
      schedule_delivery(from, *to, std::move(message), delay_us);
      return;
    }
    const TimeUs duplicate_delay_us = model.draw_delay_us(rng, message);
    if (!observers.empty()) notify_send(from.id, to_id, message, SendFate::duplicated);
    schedule_delivery(from, *to, Message(message), delay_us);
    schedule_delivery(from, *to, std::move(message), duplicate_delay_us);
  }

  void schedule_delivery(const Host& from, const Host& to, Message&& message, TimeUs delay_us) {
    const std::uint32_t slot =
        deliveries.add(Delivery{std::move(message), from.index, to.index, to.incarnation, messages_sent, false});
    queue.push(saturating_add(now(), delay_us), kind_byte(EventKind::delivery), slot);
  }

  TimerId start_timer(Host& host, TimeUs delay_us, Timer timer) {
    EC_ASSERT(delay_us >= 0, "a timer delay must not be negative");
    EC_ASSERT(host.up, "a crashed host cannot start timers");
    std::uint32_t slot = 0;
    if (!free_timer_slots.empty()) {
      slot = free_timer_slots.back();
      free_timer_slots.pop_back();
    } else {
      EC_ASSERT(timers.size() < std::numeric_limits<std::uint32_t>::max() - 1, "too many live timers");
      slot = static_cast<std::uint32_t>(timers.size());
      timers.emplace_back();
    }
    TimerSlot& entry = timers[slot];
    entry.timer = timer;
    entry.host_index = host.index;
    entry.incarnation = host.incarnation;
    entry.in_use = true;
    entry.cancelled = false;
    queue.push(saturating_add(now(), host.clock.global_delay(delay_us)), kind_byte(EventKind::timer), slot);
    // Slot + 1 in the low half keeps every id nonzero.
    return (static_cast<std::uint64_t>(entry.generation) << 32) | (static_cast<std::uint64_t>(slot) + 1);
  }

  void cancel_timer(const Host& host, TimerId id) {
    const std::uint64_t slot_plus_one = id & 0xffffffffULL;
    if (slot_plus_one == 0 || slot_plus_one > timers.size()) return;
    TimerSlot& entry = timers[slot_plus_one - 1];
    if (!entry.in_use || entry.generation != (id >> 32) || entry.host_index != host.index) return;
    // A queued timer leaves the queue now, which keeps the heap as small as the events that will run. One held
    // in a paused host's backlog cannot be (the host is not running), but a crash can cancel it by freeing
    // the slot; the flag covers any other way, and the timer is skipped when it comes due.
    if (queue.remove(static_cast<std::uint32_t>(slot_plus_one - 1))) {
      free_timer(static_cast<std::uint32_t>(slot_plus_one - 1));
      return;
    }
    entry.cancelled = true;
  }

  void free_timer(std::uint32_t slot) {
    TimerSlot& entry = timers[slot];
    entry.in_use = false;
    entry.cancelled = false;
    ++entry.generation;
    free_timer_slots.push_back(slot);
  }

  // Host lifecycle.

  // Builds a fresh node and queues its on_start at the current time.
  void bring_up(Host& host, bool restarted) {
    ++host.incarnation;
    host.up = true;
    host.paused = false;
    host.node = host.factory(*host.env);
    EC_ASSERT(host.node != nullptr, "a host factory must build a node");
    const std::uint32_t slot = starts.add(Start{host.index, host.incarnation, restarted});
    queue.push(now(), kind_byte(EventKind::start), slot);
  }

  // Destroys the node, emits `crashed`, and drops whatever it had held while paused.
  void take_down(Host& host) {
    host.up = false;
    host.paused = false;
    host.busy_until_us = 0;  // Whatever it was busy with died with it.
    ++host.incarnation;
    host.node.reset();
    if (!observers.empty()) notify_host_event(host.id, HostEvent::crashed);
    std::vector<QueueEntry> backlog = std::move(host.backlog);
    host.backlog.clear();
    for (const QueueEntry& entry : backlog) discard(entry);
  }

  // Releases the payload of an event that will never run.
  void discard(const QueueEntry& entry) {
    switch (static_cast<EventKind>(entry.kind)) {
      case EventKind::start: starts.take(entry.slot); return;
      case EventKind::delivery: drop(entry.slot, DropReason::destination_down); return;
      case EventKind::timer: free_timer(entry.slot); return;
      case EventKind::action: actions.take(entry.slot); return;
      case EventKind::injection: injections.take(entry.slot); return;
    }
  }

  void drop(std::uint32_t slot, DropReason reason) {
    const Delivery dropped = deliveries.take(slot);
    if (observers.empty()) return;
    observed_message_id = dropped.message_id;
    const NodeId from = hosts[dropped.from_index]->id;
    const NodeId to = hosts[dropped.to_index]->id;
    for (std::size_t i = 0; i < observers.size(); ++i) {
      observers[i]->on_drop(now(), from, to, dropped.message, reason);
    }
  }

  // Event dispatch. Each returns true if the event ran (and so counts as processed), false if it was
  // skipped as stale, held in a paused host's backlog or put off while a slow host is busy.

  // For a slow host: returns true, and puts `entry` off until the host is free, if it is still busy with
  // an earlier event; otherwise marks it busy with this one and returns false. Events put off to the same
  // moment keep their order by their fresh sequence numbers, so a slow host handles its inputs first come,
  // first served.
  bool wait_while_busy(Host& host, const QueueEntry& entry) {
    if (host.busy_us_per_event == 0) return false;
    if (now() < host.busy_until_us) {
      queue.push(host.busy_until_us, entry.kind, entry.slot);
      return true;
    }
    host.busy_until_us = now() + host.busy_us_per_event;
    return false;
  }

  bool run_next() {
    const QueueEntry entry = queue.pop();
    world.now_ = entry.time_us;
    if (!dispatch(entry)) return false;
    ++world.events_processed_;
    for (std::size_t i = 0; i < observers.size(); ++i) observers[i]->after_event(now());
    return true;
  }

  bool dispatch(const QueueEntry& entry) {
    switch (static_cast<EventKind>(entry.kind)) {
      case EventKind::start: return run_start(entry);
      case EventKind::delivery: return run_delivery(entry);
      case EventKind::timer: return run_timer(entry);
      case EventKind::action: return run_action(entry);
      case EventKind::injection: return run_injection(entry);
    }
    EC_ASSERT(false, "unknown event kind");
    return false;
  }

  bool run_start(const QueueEntry& entry) {
    const Start start = starts[entry.slot];
    Host& host = *hosts[start.host_index];
    if (!host.up || host.incarnation != start.incarnation) {
      starts.take(entry.slot);
      return false;
    }
    if (host.paused) {
      host.backlog.push_back(entry);
      return false;
    }
    if (wait_while_busy(host, entry)) return false;
    starts.take(entry.slot);
    if (!observers.empty()) {
      notify_host_event(host.id, start.restarted ? HostEvent::restarted : HostEvent::started);
    }
    if (host.node) host.node->on_start();
    return true;
  }

  bool run_delivery(const QueueEntry& entry) {
    Delivery& pending = deliveries[entry.slot];
    Host& to = *hosts[pending.to_index];
    if (!to.up || to.incarnation != pending.to_incarnation) {
      drop(entry.slot, DropReason::destination_down);
      return true;
    }
    if (!pending.arrived && blocked(*hosts[pending.from_index], to)) {
      drop(entry.slot, DropReason::partitioned);
      return true;
    }
    if (!pending.arrived && held(*hosts[pending.from_index], to)) {
      held_deliveries.push_back(entry);
      return false;
    }
    if (to.paused) {
      pending.arrived = true;
      to.backlog.push_back(entry);
      return false;
    }
    if (wait_while_busy(to, entry)) {
      pending.arrived = true;
      return false;
    }
    // The message leaves the slab before the node runs: the node's own sends may grow the slab, and the
    // freed slot is the warmest one for them to reuse.
    const Delivery delivery = deliveries.take(entry.slot);
    const NodeId from = hosts[delivery.from_index]->id;
    observed_message_id = delivery.message_id;
    for (std::size_t i = 0; i < observers.size(); ++i) {
      observers[i]->on_deliver(now(), from, to.id, delivery.message);
    }
    // An observer may have crashed the host from inside its callback.
    if (to.node) to.node->on_message(from, delivery.message);
    return true;
  }

  bool run_timer(const QueueEntry& entry) {
    const TimerSlot& slot = timers[entry.slot];
    Host& host = *hosts[slot.host_index];
    if (slot.cancelled || !host.up || host.incarnation != slot.incarnation) {
      free_timer(entry.slot);
      return false;
    }
    if (host.paused) {
      host.backlog.push_back(entry);
      return false;
    }
    if (wait_while_busy(host, entry)) return false;
    const Timer timer = slot.timer;
    // Freed before the callback, so the fired id is already stale if the node tries to cancel it.
    free_timer(entry.slot);
    for (std::size_t i = 0; i < observers.size(); ++i) observers[i]->on_timer(now(), host.id, timer);
    if (host.node) host.node->on_timer(timer);
    return true;
  }

  bool run_action(const QueueEntry& entry) {
    const std::function<void()> action = actions.take(entry.slot);
    action();
    return true;
  }

  bool run_injection(const QueueEntry& entry) {
    Injection& injection = injections[entry.slot];
    Host& host = *hosts[injection.host_index];
    if (!host.up || host.incarnation != injection.incarnation) {
      injections.take(entry.slot);
      return false;
    }
    if (host.paused) {
      host.backlog.push_back(entry);
      return false;
    }
    if (wait_while_busy(host, entry)) return false;
    const Injection ready = injections.take(entry.slot);
    if (host.node) ready.action(*host.node);
    return true;
  }

  World& world;
  const std::uint64_t seed;
  const LinkOptions network;  // The scenario's default for every link.
  LinkModel all_links;        // What links without an override use now: network, or degrade_all's options.
  bool partition_active = false;
  // True while any partition, isolation or cut may be in force, so the common fault-free send skips the
  // blocking checks entirely.
  bool any_blocking = false;
  bool hold_groups_active = false;
  bool any_hold = false;             // True while hold() or hold_link() may be in force.
  std::vector<QueueEntry> held_deliveries;  // Kept by a hold, in the order they came due.
  std::vector<WorldObserver*> observers;
  std::uint64_t messages_sent = 0;
  std::uint64_t observed_message_id = 0;  // See World::observed_message_id().
  EventQueue queue{kind_byte(EventKind::timer)};
  Slab<Start> starts;
  Slab<Delivery> deliveries;
  Slab<std::function<void()>> actions;
  Slab<Injection> injections;
  std::vector<TimerSlot> timers;
  std::vector<std::uint32_t> free_timer_slots;
  std::vector<std::uint32_t> dense_index;  // Host index + 1 by id, 0 when unused; ids below dense_id_limit.
  std::map<NodeId, std::uint32_t> sparse_index;
  std::map<std::string, NodeId> ids_by_name;
  // Declared last so nodes are destroyed while every slab they might touch from a destructor still exists.
  std::vector<std::unique_ptr<Host>> hosts;
};

// The Env a simulated node sees: its host's clock, the world's network and timers, and its own stream.
class World::Impl::SimEnv final : public Env {
 public:
  SimEnv(Impl& impl, Host& host) : impl_(impl), host_(host) {}

  NodeId self() const override { return host_.id; }
  TimeUs now_us() override { return host_.clock.local_at(impl_.now()); }
  void send(NodeId to, Message message) override { impl_.send(host_, to, std::move(message)); }
  TimerId start_timer(TimeUs delay_us, Timer timer) override { return impl_.start_timer(host_, delay_us, timer); }
  void cancel_timer(TimerId id) override { impl_.cancel_timer(host_, id); }
  std::uint64_t random_u64() override { return host_.rng.next_u64(); }

 private:
  Impl& impl_;
  Host& host_;
};

World::World(std::uint64_t seed, LinkOptions network)
    : impl_(std::make_unique<Impl>(*this, seed, network)), seed_(seed) {}

World::~World() = default;

void World::add_host(NodeId id, std::string name, HostFactory factory) {
  EC_ASSERT(impl_->find_host(id) == nullptr, "host id already in use");
  EC_ASSERT(!impl_->ids_by_name.contains(name), "host name already in use");
  EC_ASSERT(static_cast<bool>(factory), "a host needs a factory");
  EC_ASSERT(impl_->hosts.size() < std::numeric_limits<std::uint32_t>::max() - 1, "too many hosts");
  auto host = std::make_unique<Impl::Host>();
  host->id = id;
  host->index = static_cast<std::uint32_t>(impl_->hosts.size());
  host->name = name;
  host->factory = std::move(factory);
  host->rng = Rng::stream(seed_, static_cast<std::uint64_t>(StreamTag::host), id);
  host->env = std::make_unique<Impl::SimEnv>(*impl_, *host);
  if (id < dense_id_limit) {
    if (impl_->dense_index.size() <= id) impl_->dense_index.resize(static_cast<std::size_t>(id) + 1, 0);
    impl_->dense_index[id] = host->index + 1;
  } else {
    impl_->sparse_index.emplace(id, host->index);
  }
  impl_->ids_by_name.emplace(std::move(name), id);
  Impl::Host& added = *host;
  impl_->hosts.push_back(std::move(host));
  impl_->bring_up(added, false);
}

void World::add_observer(WorldObserver& observer) { impl_->observers.push_back(&observer); }

bool World::crash(NodeId id) {
  Impl::Host& host = impl_->require_host(id);
  if (!host.up) return false;
  impl_->take_down(host);
  return true;
}

bool World::restart(NodeId id) {
  Impl::Host& host = impl_->require_host(id);
  if (host.up) impl_->take_down(host);
  impl_->bring_up(host, true);
  return true;
}

bool World::pause(NodeId id) {
  Impl::Host& host = impl_->require_host(id);
  if (!host.up || host.paused) return false;
  host.paused = true;
  if (!impl_->observers.empty()) impl_->notify_host_event(id, HostEvent::paused);
  return true;
}

bool World::resume(NodeId id) {
  Impl::Host& host = impl_->require_host(id);
  if (!host.up || !host.paused) return false;
  host.paused = false;
  if (!impl_->observers.empty()) impl_->notify_host_event(id, HostEvent::resumed);
  // Held events run again from now, in the order they originally came due; fresh sequence numbers keep
  // that order among themselves.
  std::vector<QueueEntry> backlog = std::move(host.backlog);
  host.backlog.clear();
  for (const QueueEntry& entry : backlog) impl_->queue.push(now_, entry.kind, entry.slot);
  return true;
}

void World::slow(NodeId id, TimeUs busy_us_per_event) {
  EC_ASSERT(busy_us_per_event >= 0, "a host cannot be busy for a negative time");
  Impl::Host& host = impl_->require_host(id);
  host.busy_us_per_event = busy_us_per_event;
  // Events already put off keep their place; a host made fast again handles them when they come due.
  if (busy_us_per_event == 0) host.busy_until_us = 0;
}

void World::partition(const std::vector<std::vector<NodeId>>& groups) {
  impl_->number_groups(groups, &Impl::Host::partition_group);
  impl_->partition_active = true;
  impl_->any_blocking = true;
}

void World::isolate(NodeId id) {
  impl_->require_host(id).isolated = true;
  impl_->any_blocking = true;
}

void World::cut(NodeId from, NodeId to) {
  Impl::Host& source = impl_->require_host(from);
  const Impl::Host& destination = impl_->require_host(to);
  impl_->outgoing_link(source, destination.index).cut = true;
  impl_->any_blocking = true;
}

void World::heal() {
  for (const auto& host : impl_->hosts) {
    host->partition_group = 0;
    host->isolated = false;
    for (Impl::Link& link : host->outgoing) link.cut = false;
  }
  impl_->partition_active = false;
  impl_->any_blocking = false;
}

void World::hold(const std::vector<std::vector<NodeId>>& groups) {
  impl_->number_groups(groups, &Impl::Host::hold_group);
  impl_->hold_groups_active = true;
  impl_->any_hold = true;
}

void World::hold_link(NodeId from, NodeId to) {
  Impl::Host& source = impl_->require_host(from);
  const Impl::Host& destination = impl_->require_host(to);
  impl_->outgoing_link(source, destination.index).held = true;
  impl_->any_hold = true;
}

void World::release(bool shuffled) {
  for (const auto& host : impl_->hosts) {
    host->hold_group = 0;
    for (Impl::Link& link : host->outgoing) link.held = false;
  }
  impl_->hold_groups_active = false;
  impl_->any_hold = false;
  std::vector<QueueEntry> kept = std::move(impl_->held_deliveries);
  impl_->held_deliveries.clear();
  // Send order is message order; the two copies of a duplicated message share a number and keep the order
  // they came due in.
  std::stable_sort(kept.begin(), kept.end(), [this](const QueueEntry& a, const QueueEntry& b) {
    return impl_->deliveries[a.slot].message_id < impl_->deliveries[b.slot].message_id;
  });
  if (shuffled && kept.size() > 1) {
    // A stream of its own, derived from the seed and this release's time, so a release draws nothing from
    // any link's or host's stream.
    Rng rng = Rng::stream(seed_, static_cast<std::uint64_t>(StreamTag::release), static_cast<std::uint64_t>(now_));
    for (std::size_t i = kept.size() - 1; i > 0; --i) std::swap(kept[i], kept[rng.below(i + 1)]);
  }
  // Fresh sequence numbers at the same time keep the chosen order.
  for (const QueueEntry& entry : kept) impl_->queue.push(now_, entry.kind, entry.slot);
}

std::size_t World::held_count() const { return impl_->held_deliveries.size(); }

void World::degrade(NodeId from, NodeId to, const LinkOptions& link) {
  Impl::Host& source = impl_->require_host(from);
  const Impl::Host& destination = impl_->require_host(to);
  impl_->outgoing_link(source, destination.index).override_model = std::make_unique<LinkModel>(link);
}

void World::degrade_all(const LinkOptions& link) {
  for (const auto& host : impl_->hosts) {
    for (Impl::Link& outgoing : host->outgoing) outgoing.override_model.reset();
  }
  impl_->all_links = LinkModel(link);
}

void World::restore(NodeId from, NodeId to) {
  Impl::Host& source = impl_->require_host(from);
  const Impl::Host& destination = impl_->require_host(to);
  // An explicit override, not a reset: after degrade_all, restoring one link must still single it out.
  impl_->outgoing_link(source, destination.index).override_model = std::make_unique<LinkModel>(impl_->network);
}

void World::restore_all() {
  for (const auto& host : impl_->hosts) {
    for (Impl::Link& outgoing : host->outgoing) outgoing.override_model.reset();
  }
  impl_->all_links = LinkModel(impl_->network);
}

void World::set_clock(NodeId id, TimeUs offset_jump_us, double drift_ppm) {
  impl_->require_host(id).clock.set(now_, offset_jump_us, drift_ppm);
}

void World::schedule(TimeUs at_us, std::function<void()> action) {
  EC_ASSERT(at_us >= now_, "cannot schedule in the past");
  EC_ASSERT(static_cast<bool>(action), "cannot schedule an empty action");
  const std::uint32_t slot = impl_->actions.add(std::move(action));
  impl_->queue.push(at_us, kind_byte(EventKind::action), slot);
}

bool World::inject(NodeId id, std::function<void(Node&)> action) {
  EC_ASSERT(static_cast<bool>(action), "cannot inject an empty action");
  Impl::Host& host = impl_->require_host(id);
  if (!host.up) return false;
  // The action runs as an event of its own rather than inline, so it never re-enters a node that is in the
  // middle of a callback, and a pause holds it in order with the node's other inputs.
  const std::uint32_t slot = impl_->injections.add(Impl::Injection{std::move(action), host.index, host.incarnation});
  impl_->queue.push(now_, kind_byte(EventKind::injection), slot);
  return true;
}

void World::run_until(TimeUs until_us) {
  EC_ASSERT(until_us >= now_, "cannot run backwards in time");
  while (!impl_->queue.empty() && impl_->queue.top().time_us <= until_us) impl_->run_next();
  now_ = until_us;
}

bool World::step() {
  while (!impl_->queue.empty()) {
    if (impl_->run_next()) return true;
  }
  return false;
}

bool World::is_up(NodeId id) const {
  const Impl::Host* host = impl_->find_host(id);
  return host != nullptr && host->up;
}

bool World::is_paused(NodeId id) const {
  const Impl::Host* host = impl_->find_host(id);
  return host != nullptr && host->up && host->paused;
}

bool World::link_open(NodeId from, NodeId to) const {
  const Impl::Host* source = impl_->find_host(from);
  const Impl::Host* destination = impl_->find_host(to);
  // A held link delivers nothing for now, so to whoever asks whether two hosts can talk it is as closed as a
  // cut one.
  return source != nullptr && destination != nullptr && !impl_->blocked(*source, *destination) &&
         !impl_->held(*source, *destination);
}

Node* World::node(NodeId id) {
  Impl::Host* host = impl_->find_host(id);
  return host != nullptr && host->up ? host->node.get() : nullptr;
}

const Node* World::node(NodeId id) const {
  const Impl::Host* host = impl_->find_host(id);
  return host != nullptr && host->up ? host->node.get() : nullptr;
}

const std::string& World::name(NodeId id) const { return impl_->require_host(id).name; }

std::optional<NodeId> World::find(const std::string& name) const {
  const auto found = impl_->ids_by_name.find(name);
  if (found == impl_->ids_by_name.end()) return std::nullopt;
  return found->second;
}

std::vector<NodeId> World::host_ids() const {
  std::vector<NodeId> ids;
  ids.reserve(impl_->hosts.size());
  for (const auto& host : impl_->hosts) ids.push_back(host->id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TimeUs World::local_time(NodeId id) const { return impl_->require_host(id).clock.local_at(now_); }

std::uint64_t World::observed_message_id() const { return impl_->observed_message_id; }

}  // namespace edgecache::sim
