// Tests of net/connection_deadline.cpp. Method: a real io_context runs a deadline, owned as a connection owns
// it, for bounded slices of real time with a short check interval; each test moves the deadline the way a
// session does (later, earlier, away) and checks when the expiry callback ran, and that it ran once. A
// loaded machine may make the callback late, never early, so timings are checked from below, and from
// above only with a wide margin.

#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "net/connection_deadline.h"

namespace edgecache::net {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds test_check_interval{50};

// Stands for a connection: it owns its deadline and records each expiry.
struct Owner {
  explicit Owner(boost::asio::io_context& context) : deadline(context.get_executor(), test_check_interval) {}
  ConnectionDeadline deadline;
  int expiries = 0;
  std::optional<Clock::time_point> expired_at;
};

std::shared_ptr<Owner> start_owner(boost::asio::io_context& context) {
  auto owner = std::make_shared<Owner>(context);
  owner->deadline.start(owner, [raw = owner.get()] {
    ++raw->expiries;
    raw->expired_at = Clock::now();
  });
  return owner;
}

}  // namespace

TEST_CASE("a deadline expires once, after its timeout, and moving it later postpones it", "[net][deadline]") {
  boost::asio::io_context context(1);
  const auto owner = start_owner(context);
  const auto first_set = Clock::now();
  owner->deadline.expire_after(milliseconds(100));
  context.run_for(milliseconds(60));
  // Moved later before it was due, as a session does on every read and write: the old time must not count.
  const auto second_set = Clock::now();
  owner->deadline.expire_after(milliseconds(100));
  context.run_for(milliseconds(400));
  REQUIRE(owner->expiries == 1);
  CHECK(*owner->expired_at - second_set >= milliseconds(100));
  CHECK(*owner->expired_at - first_set >= milliseconds(160));
}

TEST_CASE("a deadline moved earlier expires at the earlier time", "[net][deadline]") {
  boost::asio::io_context context(1);
  const auto owner = start_owner(context);
  owner->deadline.expire_after(milliseconds(5000));
  const auto set = Clock::now();
  owner->deadline.expire_after(milliseconds(60));
  context.run_for(milliseconds(1000));
  REQUIRE(owner->expiries == 1);
  CHECK(*owner->expired_at - set >= milliseconds(60));
}

TEST_CASE("no deadline, no expiry; a deadline set afterwards still expires", "[net][deadline]") {
  boost::asio::io_context context(1);
  const auto owner = start_owner(context);
  owner->deadline.expire_after(milliseconds(60));
  owner->deadline.expire_never();  // As a session does while its handler works on a request.
  context.run_for(milliseconds(300));
  CHECK(owner->expiries == 0);
  owner->deadline.expire_after(milliseconds(60));
  context.run_for(milliseconds(300));
  CHECK(owner->expiries == 1);
}

TEST_CASE("a deadline whose owner is gone never calls back", "[net][deadline]") {
  boost::asio::io_context context(1);
  auto owner = std::make_shared<Owner>(context);
  const auto calls = std::make_shared<int>(0);  // Outlives the owner, unlike the owner's own counter.
  owner->deadline.start(owner, [calls] { ++*calls; });
  owner->deadline.expire_after(milliseconds(50));
  context.run_for(milliseconds(10));
  owner.reset();  // Destroys the deadline with its owner while the timer waits.
  context.run_for(milliseconds(200));
  CHECK(*calls == 0);
  CHECK(context.stopped());  // The cancelled wait completed and nothing is left to run.
}

}  // namespace edgecache::net
