#pragma once
// The real-world Env: time from the steady clock, timers on the daemon's io_context, a random stream seeded
// by the OS, and messages handed to a MessageSink (peer links, or the local HTTP clients). Every node call
// happens on the io_context's single thread, so node code stays single-threaded exactly as under the
// simulator.
//
// Like the simulator, it freezes the clock for the length of each event: now_us() returns the reading taken
// when the event began. With the random seed and the inputs recorded, that makes a node's run replayable
// (docs/real-traces.md), and an optional node-trace writer records exactly that. The env also keeps the node's
// Lamport clock, which rides on every message it sends.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/env.h"
#include "core/node.h"
#include "net/node_trace.h"
#include "net/steady_time.h"
#include "sim/trace/daemon_random.h"

namespace edgecache::net {

// Where a node's outgoing messages go. Implementations must not call back into the node synchronously.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // Takes `message` for delivery to `to`, best effort; never blocks. `lamport` is the sender's Lamport clock
  // stamp, to carry with the message where the transport can.
  virtual void send(NodeId to, Message message, std::uint64_t lamport) = 0;
};

class RealEnv final : public Env {
 public:
  // `context` and `sink` must outlive the env. The clock starts at zero now.
  RealEnv(boost::asio::io_context& context, NodeId self, MessageSink& sink);

  // Names the node this env drives; `after_event` (optional) runs after every node call, which lets the
  // daemon log state changes such as a new leader. REQUIRES: called once, before start().
  void attach(Node& node, std::function<void()> after_event = {});

  // Posts the node's on_start. REQUIRES: attach() was called.
  void start();

  // Posts on_message(from, message) to the node; this is how work from connections enters the node.
  // `sent_lamport` is the stamp the message carried (0 from a local client, which keeps no clock).
  void deliver(NodeId from, Message message, std::uint64_t sent_lamport = 0);

  // Records every input and output of the node to `trace` from now on. REQUIRES: before start().
  void set_trace(sim::NodeTraceWriter* trace) { trace_ = trace; }
  // The seed of the node's random stream, which a trace header must record.
  std::uint64_t random_seed() const { return random_seed_; }
  // When the current (or last) event happened, for lines an observer adds to the trace about it.
  sim::TraceStamp stamp() const { return {event_time_us_, event_wall_us_, lamport_}; }

  NodeId self() const override { return self_; }
  TimeUs now_us() override { return in_event_ ? event_time_us_ : clock_.now_us(); }
  void send(NodeId to, Message message) override;
  TimerId start_timer(TimeUs delay_us, Timer timer) override;
  void cancel_timer(TimerId id) override;
  std::uint64_t random_u64() override { return random_.next_u64(); }

  std::size_t active_timer_count() const { return timers_.size(); }

 private:
  // Brackets every node call: freezes the clock and ticks the Lamport clock (to at least `seen_lamport`).
  void begin_event(std::uint64_t seen_lamport);
  void end_event();

  boost::asio::io_context& context_;
  NodeId self_;
  MessageSink& sink_;
  Node* node_ = nullptr;
  std::function<void()> after_event_;
  SteadyTime clock_;
  std::uint64_t random_seed_;
  sim::DaemonRandom random_;  // The stream a replay draws again from the recorded seed.
  sim::NodeTraceWriter* trace_ = nullptr;
  bool in_event_ = false;
  TimeUs event_time_us_ = 0;
  std::int64_t event_wall_us_ = 0;
  std::uint64_t lamport_ = 0;
  TimerId next_timer_id_ = 1;
  std::map<TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace edgecache::net
