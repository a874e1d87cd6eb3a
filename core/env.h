#pragma once
// The only door between node logic and the world. A node reads time, sends messages, sets timers and draws
// random numbers through an Env and nothing else, so the simulator (sim/) and the real daemons (net/) can
// each provide one. Every call returns at once and never blocks; results arrive later as Node events.

#include <cstdint>
#include <string_view>

#include "core/messages.h"
#include "core/types.h"

namespace edgecache {

// What a timer is for. The kind and key travel with the timer, so a node needs no table of timer ids, and
// traces and checkers can tell what fired.
enum class TimerKind : std::uint8_t {
  heartbeat = 0,            // Leader: time to send heartbeats.
  leader_timeout = 1,       // Follower: the leader has been silent too long.
  answer_timeout = 2,       // Candidate: no higher edge answered the election.
  coordinator_timeout = 3,  // Candidate: a higher edge answered but never announced itself.
  origin_timeout = 4,       // Edge: an origin fetch for image `key` took too long.
  size_timeout = 5,         // Edge: an origin size query for image `key` took too long.
  pull_timeout = 6,         // Edge: a replication pull for image `key` took too long.
  anti_entropy = 7,         // Leader: time to reconcile followers' inventories.
  attempt_timeout = 8,      // Client: the attempt with wire id `key` took too long; fail over.
  request_deadline = 9,     // Client: request `key` reached its deadline.
  hedge = 10,               // Client: request `key` has waited longer than usual; try the next edge as well.
  probe_timeout = 11,       // Client: the probe with wire id `key` to an ejected edge got no answer in time.
};
// The highest TimerKind, for code that walks them all.
constexpr TimerKind last_timer_kind = TimerKind::probe_timeout;
std::string_view timer_kind_name(TimerKind kind);

struct Timer {
  TimerKind kind = TimerKind::heartbeat;
  std::uint64_t key = 0;
};

// Identifies a started timer, for cancellation. Never zero.
using TimerId = std::uint64_t;

class Env {
 public:
  virtual ~Env() = default;

  // Returns the id of the node this Env belongs to.
  virtual NodeId self() const = 0;

  // Returns the node's local monotonic time. It never goes backwards, but it may be offset from and drift
  // against other nodes' clocks; compare only times read from the same Env.
  virtual TimeUs now_us() = 0;

  // Sends `message` to node `to`. Delivery is best effort: the message may be lost, delayed, duplicated or
  // reordered, and the sender learns nothing from this call. A message to an unknown node is dropped.
  // REQUIRES: to != self().
  virtual void send(NodeId to, Message message) = 0;

  // Arranges for the node's on_timer(timer) to be called once, after `delay_us` of local time, unless the
  // timer is cancelled first. Timers die with the node (crash or restart).
  // REQUIRES: delay_us >= 0.
  virtual TimerId start_timer(TimeUs delay_us, Timer timer) = 0;

  // Cancels a timer started by this Env. Cancelling a timer that has fired or was cancelled does nothing.
  virtual void cancel_timer(TimerId id) = 0;

  // Returns 64 uniformly random bits from this node's own stream (seeded by the simulator, or by the OS in
  // real mode).
  virtual std::uint64_t random_u64() = 0;
};

// Forwards every call to another Env. A test that wants to drop, duplicate or corrupt one kind of message
// overrides send() alone.
class ForwardingEnv : public Env {
 public:
  explicit ForwardingEnv(Env& target) : target_(target) {}

  NodeId self() const override { return target_.self(); }
  TimeUs now_us() override { return target_.now_us(); }
  void send(NodeId to, Message message) override { target_.send(to, std::move(message)); }
  TimerId start_timer(TimeUs delay_us, Timer timer) override { return target_.start_timer(delay_us, timer); }
  void cancel_timer(TimerId id) override { target_.cancel_timer(id); }
  std::uint64_t random_u64() override { return target_.random_u64(); }

  Env& target() { return target_; }

 private:
  Env& target_;
};

// Returns a uniformly random value in [0, bound) from `env`. REQUIRES: bound > 0.
std::uint64_t random_below(Env& env, std::uint64_t bound);

}  // namespace edgecache
