#pragma once
// The real-world Env: time from the steady clock, timers on the daemon's io_context, randomness from the OS,
// and messages handed to a MessageSink (peer links, or the local HTTP clients). Every node call happens on
// the io_context's single thread, so node code stays single-threaded exactly as under the simulator.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/env.h"
#include "core/node.h"
#include "net/steady_time.h"

namespace edgecache::net {

// Where a node's outgoing messages go. Implementations must not call back into the node synchronously.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // Takes `message` for delivery to `to`, best effort; never blocks.
  virtual void send(NodeId to, Message message) = 0;
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
  void deliver(NodeId from, Message message);

  NodeId self() const override { return self_; }
  TimeUs now_us() override { return clock_.now_us(); }
  void send(NodeId to, Message message) override;
  TimerId start_timer(TimeUs delay_us, Timer timer) override;
  void cancel_timer(TimerId id) override;
  std::uint64_t random_u64() override { return random_(); }

  std::size_t active_timer_count() const { return timers_.size(); }

 private:
  void after_event();

  boost::asio::io_context& context_;
  NodeId self_;
  MessageSink& sink_;
  Node* node_ = nullptr;
  std::function<void()> after_event_;
  SteadyTime clock_;
  std::mt19937_64 random_;
  TimerId next_timer_id_ = 1;
  std::map<TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace edgecache::net
