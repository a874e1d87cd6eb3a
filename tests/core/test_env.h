#pragma once
// A fake Env for driving one node by hand in unit tests. It records every message the node sends and every
// timer it has running, keeps time still until the test moves it, and draws "random" numbers from a seeded
// splitmix64 so a test is reproducible. Nothing is delivered anywhere: a test inspects `sent`, feeds replies
// to the node itself, and moves time with advance_to() (which fires due timers) or fires one timer with fire().

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/env.h"
#include "core/node.h"

namespace edgecache::test {

class TestEnv final : public Env {
 public:
  struct Sent {
    NodeId to = 0;
    Message message;
  };
  struct ActiveTimer {
    TimeUs due_us = 0;
    Timer timer;
  };

  explicit TestEnv(NodeId self_id, std::uint64_t seed = 1) : self_(self_id), random_state_(seed) {}

  NodeId self() const override { return self_; }
  TimeUs now_us() override { return now_; }

  void send(NodeId to, Message message) override {
    EC_ASSERT(to != self_, "a node sent a message to itself");
    sent.push_back(Sent{to, std::move(message)});
  }

  TimerId start_timer(TimeUs delay_us, Timer timer) override {
    EC_ASSERT(delay_us >= 0, "a node started a timer with a negative delay");
    const TimerId id = next_timer_id_;
    ++next_timer_id_;
    timers.emplace(id, ActiveTimer{now_ + delay_us, timer});
    ++timers_started;
    return id;
  }

  void cancel_timer(TimerId id) override {
    if (timers.erase(id) != 0) ++timers_cancelled;
  }

  std::uint64_t random_u64() override {
    random_state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t value = random_state_;
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
    return value ^ (value >> 31);
  }

  // The time now_us() returns, readable without going through the Env interface.
  TimeUs time_us() const { return now_; }

  // Moves time forward to `time_us`, firing into `node`, in (due time, timer id) order, every timer due at or
  // before it, including timers that the fired ones start if they too fall due by then. Time stands at each
  // timer's due time while it fires. Returns the timers fired, in firing order.
  // REQUIRES: time_us >= time_us().
  std::vector<Timer> advance_to(TimeUs time_us, Node& node) {
    EC_ASSERT(time_us >= now_, "TestEnv time cannot go backwards");
    std::vector<Timer> fired;
    while (true) {
      const std::optional<TimerId> next = next_due(time_us);
      if (!next) break;
      now_ = timers.at(*next).due_us;
      fired.push_back(fire(*next, node));
    }
    now_ = time_us;
    return fired;
  }

  // advance_to(time_us() + delay_us, node).
  std::vector<Timer> advance_by(TimeUs delay_us, Node& node) { return advance_to(now_ + delay_us, node); }

  // Fires the active timer `id` into `node` at once, whatever its due time, and returns it. Time does not move.
  // REQUIRES: `id` is active.
  Timer fire(TimerId id, Node& node) {
    const auto found = timers.find(id);
    EC_ASSERT(found != timers.end(), "TestEnv::fire needs an active timer");
    const Timer timer = found->second.timer;
    timers.erase(found);
    node.on_timer(timer);
    return timer;
  }

  // Returns the id of the active timer with this kind and key (the earliest started if several), if any.
  std::optional<TimerId> find_timer(TimerKind kind, std::uint64_t key) const {
    for (const auto& [id, active] : timers) {
      if (active.timer.kind == kind && active.timer.key == key) return id;
    }
    return std::nullopt;
  }

  // Returns how many active timers have this kind.
  std::size_t count_timers(TimerKind kind) const {
    std::size_t count = 0;
    for (const auto& [id, active] : timers) count += active.timer.kind == kind ? 1 : 0;
    return count;
  }

  // Returns the messages of type T sent so far, with their destinations, in sending order.
  template <typename T>
  std::vector<std::pair<NodeId, T>> sent_of() const {
    std::vector<std::pair<NodeId, T>> result;
    for (const Sent& entry : sent) {
      if (const T* message = std::get_if<T>(&entry.message)) result.emplace_back(entry.to, *message);
    }
    return result;
  }

  // Returns everything sent so far and forgets it, so a test can look at one step's output at a time.
  std::vector<Sent> take_sent() { return std::exchange(sent, {}); }

  // Everything the node sent, in order.
  std::vector<Sent> sent;
  // The node's running timers, by id; ids grow in start order and are never zero.
  std::map<TimerId, ActiveTimer> timers;
  std::uint64_t timers_started = 0;
  std::uint64_t timers_cancelled = 0;  // Cancellations of timers that were still active.

 private:
  // Returns the active timer due first at or before `limit_us`, the lower id winning a tie.
  std::optional<TimerId> next_due(TimeUs limit_us) const {
    std::optional<TimerId> best;
    for (const auto& [id, active] : timers) {
      if (active.due_us > limit_us) continue;
      if (!best || active.due_us < timers.at(*best).due_us) best = id;
    }
    return best;
  }

  NodeId self_;
  TimeUs now_ = 0;
  TimerId next_timer_id_ = 1;
  std::uint64_t random_state_;
};

}  // namespace edgecache::test
