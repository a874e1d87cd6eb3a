#include "net/real_env.h"

#include <algorithm>
#include <random>

#include <boost/asio/post.hpp>

#include "core/assert.h"

namespace edgecache::net {

namespace asio = boost::asio;

namespace {

// Seeds a node's stream from the OS. A node trace records the seed, which is what lets a replay draw the
// same numbers.
std::uint64_t os_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

RealEnv::RealEnv(asio::io_context& context, NodeId self, MessageSink& sink)
    : context_(context), self_(self), sink_(sink), random_seed_(os_seed()), random_(random_seed_) {}

void RealEnv::attach(Node& node, std::function<void()> after_event) {
  EC_ASSERT(node_ == nullptr, "RealEnv::attach called twice");
  node_ = &node;
  after_event_ = std::move(after_event);
}

void RealEnv::start() {
  EC_ASSERT(node_ != nullptr, "RealEnv::start before attach");
  asio::post(context_, [this] {
    begin_event(0);
    if (trace_ != nullptr) trace_->started(stamp());
    node_->on_start();
    end_event();
  });
}

void RealEnv::deliver(NodeId from, Message message, std::uint64_t sent_lamport) {
  EC_ASSERT(node_ != nullptr, "RealEnv::deliver before attach");
  asio::post(context_, [this, from, sent_lamport, message = std::move(message)] {
    begin_event(sent_lamport);
    if (trace_ != nullptr) trace_->received(stamp(), from, sent_lamport, message);
    node_->on_message(from, message);
    end_event();
  });
}

void RealEnv::send(NodeId to, Message message) {
  EC_ASSERT(to != self_, "a node never sends to itself");
  ++lamport_;
  if (trace_ != nullptr) trace_->sent(stamp(), to, message);
  sink_.send(to, std::move(message), lamport_);
}

TimerId RealEnv::start_timer(TimeUs delay_us, Timer timer) {
  EC_ASSERT(delay_us >= 0, "timer delay must not be negative");
  const TimerId id = next_timer_id_++;
  auto& steady_timer = timers_[id];
  steady_timer = std::make_unique<asio::steady_timer>(context_, std::chrono::microseconds(delay_us));
  steady_timer->async_wait([this, id, timer](const boost::system::error_code& error) {
    // A timer erased by cancel_timer may still have its completion queued (with or without an error); the
    // map says whether it is still wanted, so a cancelled timer never reaches the node.
    if (error) return;
    auto found = timers_.find(id);
    if (found == timers_.end()) return;
    timers_.erase(found);
    begin_event(0);
    if (trace_ != nullptr) trace_->timer_fired(stamp(), id, timer);
    node_->on_timer(timer);
    end_event();
  });
  if (trace_ != nullptr) trace_->timer_set(stamp(), id, timer, delay_us);
  return id;
}

void RealEnv::cancel_timer(TimerId id) {
  // Recorded even when the timer already fired: the node made the call, and a replay must see it make it.
  if (trace_ != nullptr) trace_->timer_cancelled(stamp(), id);
  auto found = timers_.find(id);
  if (found == timers_.end()) return;
  found->second->cancel();
  timers_.erase(found);
}

void RealEnv::begin_event(std::uint64_t seen_lamport) {
  EC_ASSERT(!in_event_, "node events never nest");
  in_event_ = true;
  event_time_us_ = clock_.now_us();
  event_wall_us_ = wall_clock_us();
  lamport_ = std::max(lamport_, seen_lamport) + 1;
}

void RealEnv::end_event() {
  if (after_event_) after_event_();
  in_event_ = false;
}

}  // namespace edgecache::net
