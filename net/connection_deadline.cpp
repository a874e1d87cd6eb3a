#include "net/connection_deadline.h"

#include <algorithm>

#include "core/assert.h"

namespace edgecache::net {

ConnectionDeadline::ConnectionDeadline(const boost::asio::any_io_executor& executor,
                                       std::chrono::milliseconds check_interval)
    : timer_(executor), check_interval_(check_interval) {}

void ConnectionDeadline::start(std::weak_ptr<void> owner, std::function<void()> on_expired) {
  EC_ASSERT(!on_expired_, "ConnectionDeadline::start called twice");
  owner_ = std::move(owner);
  on_expired_ = std::move(on_expired);
  arm_timer();
}

void ConnectionDeadline::expire_after(std::chrono::milliseconds timeout) {
  EC_ASSERT(timeout >= check_interval_, "a timeout shorter than the check interval could be enforced late");
  deadline_ = Clock::now() + timeout;
}

void ConnectionDeadline::arm_timer() {
  timer_.expires_at(std::min(deadline_, Clock::now() + check_interval_));
  timer_.async_wait([this, owner = owner_](const boost::system::error_code& error) {
    // Only a live owner proves this object still exists; the timer's destruction (with the owner) cancels
    // the wait, but a wait that had already completed may still run this handler afterwards.
    const std::shared_ptr<void> alive = owner.lock();
    if (!alive || error) return;
    on_timer();
  });
}

void ConnectionDeadline::on_timer() {
  if (Clock::now() < deadline_) return arm_timer();
  on_expired_();
}

}  // namespace edgecache::net
