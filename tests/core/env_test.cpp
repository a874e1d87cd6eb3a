// Tests for core/env.cpp. Method: random_below is driven by a scripted Env whose random_u64 returns chosen
// values, so the rejection rule can be checked exactly at its boundary (the smallest accepted draw, the
// largest rejected one) rather than statistically; a seeded TestEnv then checks range and rough uniformity.
// Timer kind names are checked for being distinct and snake_case, since traces and logs rely on them.

#include <catch2/catch.hpp>

#include <deque>
#include <set>
#include <string>

#include "core/env.h"
#include "tests/core/test_env.h"

namespace edgecache {
namespace {

// An Env whose random draws are a fixed script; using any other method is a test bug.
class ScriptedRandomEnv final : public Env {
 public:
  explicit ScriptedRandomEnv(std::deque<std::uint64_t> draws) : draws_(std::move(draws)) {}
  NodeId self() const override { return 1; }
  TimeUs now_us() override { return 0; }
  void send(NodeId, Message) override { FAIL("unexpected send"); }
  TimerId start_timer(TimeUs, Timer) override {
    FAIL("unexpected timer");
    return 0;
  }
  void cancel_timer(TimerId) override { FAIL("unexpected cancel"); }
  std::uint64_t random_u64() override {
    REQUIRE_FALSE(draws_.empty());
    const std::uint64_t draw = draws_.front();
    draws_.pop_front();
    return draw;
  }
  std::size_t draws_left() const { return draws_.size(); }

 private:
  std::deque<std::uint64_t> draws_;
};

TEST_CASE("random_below rejects exactly the biased low draws", "[core][env]") {
  SECTION("bound 3: 2^64 mod 3 is 1, so only a draw of 0 is rejected") {
    ScriptedRandomEnv env({0, 0, 5});
    // Two zeros are rejected, then 5 mod 3.
    CHECK(random_below(env, 3) == 2);
    CHECK(env.draws_left() == 0);
    ScriptedRandomEnv accepts_one({1});
    CHECK(random_below(accepts_one, 3) == 1);
  }
  SECTION("bound 2^63 + 1: nearly half of all draws are rejected") {
    const std::uint64_t bound = (1ULL << 63) + 1;
    // 2^64 mod bound = 2^63 - 1, so draws below 2^63 - 1 are rejected and 2^63 - 1 is the first accepted.
    ScriptedRandomEnv env({(1ULL << 63) - 2, 0, (1ULL << 63) - 1});
    CHECK(random_below(env, bound) == (1ULL << 63) - 1);
    CHECK(env.draws_left() == 0);
    ScriptedRandomEnv high({0xFFFFFFFFFFFFFFFFULL});
    CHECK(random_below(high, bound) == 0xFFFFFFFFFFFFFFFFULL - bound);
  }
  SECTION("a power of two never rejects") {
    ScriptedRandomEnv env({0, 0xFFFFFFFFFFFFFFFFULL});
    CHECK(random_below(env, 1ULL << 40) == 0);
    CHECK(random_below(env, 1ULL << 40) == (1ULL << 40) - 1);
  }
  SECTION("bound 1 always gives 0") {
    ScriptedRandomEnv env({12345});
    CHECK(random_below(env, 1) == 0);
  }
}

TEST_CASE("random_below stays in range and is roughly uniform", "[core][env]") {
  test::TestEnv env(1, 99);
  constexpr int draw_count = 60000;
  std::vector<int> counts(6, 0);
  for (int draw = 0; draw < draw_count; ++draw) {
    const std::uint64_t value = random_below(env, 6);
    REQUIRE(value < 6);
    ++counts[value];
  }
  // 10000 expected per value with a standard deviation near 91; 9500..10500 is over five sigmas.
  for (const int count : counts) {
    CHECK(count > 9500);
    CHECK(count < 10500);
  }
}

TEST_CASE("timer kinds have distinct snake_case names", "[core][env]") {
  std::set<std::string> names;
  for (int kind = 0; kind <= static_cast<int>(last_timer_kind); ++kind) {
    const std::string name(timer_kind_name(static_cast<TimerKind>(kind)));
    INFO("kind " << kind << " is " << name);
    CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
    CHECK(name.rfind("invalid", 0) != 0);
    names.insert(name);
  }
  CHECK(names.size() == static_cast<std::size_t>(last_timer_kind) + 1);
  CHECK(timer_kind_name(TimerKind::attempt_timeout) == "attempt_timeout");
}

}  // namespace
}  // namespace edgecache
