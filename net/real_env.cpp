#include "net/real_env.h"

#include <boost/asio/post.hpp>

#include "core/assert.h"

namespace edgecache::net {

namespace asio = boost::asio;

namespace {

// Seeds a node's stream from the OS. Real mode cannot be replayed anyway, so there is no seed to record.
std::uint64_t os_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

RealEnv::RealEnv(asio::io_context& context, NodeId self, MessageSink& sink)
    : context_(context), self_(self), sink_(sink), random_(os_seed()) {}

void RealEnv::attach(Node& node, std::function<void()> after_event) {
  EC_ASSERT(node_ == nullptr, "RealEnv::attach called twice");
  node_ = &node;
  after_event_ = std::move(after_event);
}

void RealEnv::start() {
  EC_ASSERT(node_ != nullptr, "RealEnv::start before attach");
  asio::post(context_, [this] {
    node_->on_start();
    after_event();
  });
}

void RealEnv::deliver(NodeId from, Message message) {
  EC_ASSERT(node_ != nullptr, "RealEnv::deliver before attach");
  asio::post(context_, [this, from, message = std::move(message)] {
    node_->on_message(from, message);
    after_event();
  });
}

void RealEnv::send(NodeId to, Message message) {
  EC_ASSERT(to != self_, "a node never sends to itself");
  sink_.send(to, std::move(message));
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
    node_->on_timer(timer);
    after_event();
  });
  return id;
}

void RealEnv::cancel_timer(TimerId id) {
  auto found = timers_.find(id);
  if (found == timers_.end()) return;
  found->second->cancel();
  timers_.erase(found);
}

void RealEnv::after_event() {
  if (after_event_) after_event_();
}

}  // namespace edgecache::net
