#pragma once
// One deadline per connection, kept as a plain time value that the connection moves on every read and write,
// and one Asio timer that wakes now and then to compare it with the clock. Moving the deadline costs one
// clock reading. beast::tcp_stream instead arms a timer for every read and every write and cancels it when
// the operation ends, and the cancelled wait still completes through the scheduler: on a cache hit that was
// two timer-queue insertions, two cancellations and two extra completions, for timeouts that almost never
// fire.
//
// The timer never has to be moved earlier: it is armed at most check_interval ahead, and every timeout is at
// least that long, so a deadline set later always lies at or after the moment the timer will next wake.

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace edgecache::net {

class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // The timer runs its handler on `executor` (the connection's strand) and sleeps at most `check_interval`
  // between looks at the deadline. There is no deadline until expire_after is called.
  ConnectionDeadline(const boost::asio::any_io_executor& executor, std::chrono::milliseconds check_interval);

  // Starts watching. Once the clock passes the deadline, `on_expired` runs, once, on the executor; the
  // watch then ends. `owner` is the object the watch serves: it is held weakly, the watch ends when the
  // owner is destroyed, and `on_expired` runs only while the owner lives.
  // REQUIRES: called once, and this object is a member of `owner` (so it lives exactly as long).
  void start(std::weak_ptr<void> owner, std::function<void()> on_expired);

  // Sets the deadline to `timeout` from now, replacing the previous one, earlier or later.
  // REQUIRES: timeout >= check_interval.
  void expire_after(std::chrono::milliseconds timeout);

  // Removes the deadline: nothing expires until the next expire_after.
  void expire_never() { deadline_ = Clock::time_point::max(); }

 private:
  void arm_timer();
  void on_timer();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds check_interval_;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::weak_ptr<void> owner_;
  std::function<void()> on_expired_;
};

}  // namespace edgecache::net
