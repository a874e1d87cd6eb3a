// Tests for a simulated host's clock: readings against the linear model, monotonicity across re-anchoring,
// and the conversion of local timer delays into global delays.

#include <catch2/catch.hpp>

#include "sim/world/host_clock.h"

namespace edgecache::sim {
namespace {

TEST_CASE("HostClock: starts equal to global time", "[sim][host_clock]") {
  const HostClock clock;
  CHECK(clock.local_at(0) == 0);
  CHECK(clock.local_at(123456789) == 123456789);
  CHECK(clock.global_delay(5000) == 5000);
}

TEST_CASE("HostClock: drift scales elapsed time and offsets jump forward", "[sim][host_clock]") {
  HostClock clock;
  clock.set(1000, 500, 1000.0);  // At global 1000 the reading becomes 1500 and runs 0.1% fast.
  CHECK(clock.local_at(1000) == 1500);
  CHECK(clock.local_at(1000 + 1000000) == 1500 + 1001000);
  CHECK(clock.global_delay(1001000) == 1000000);
  // ceil(1000 / 1.001) = ceil(999.000999...) = 1000.
  CHECK(clock.global_delay(1000) == 1000);

  // A slow clock re-anchored later continues from where it was, never going back.
  const TimeUs before = clock.local_at(2000000);
  clock.set(2000000, 0, -1000.0);
  CHECK(clock.local_at(2000000) == before);
  CHECK(clock.local_at(3000000) == before + 999000);
  CHECK(clock.global_delay(999000) == 1000000);

  TimeUs previous = clock.local_at(2000000);
  for (TimeUs global = 2000000; global < 2010000; global += 7) {
    const TimeUs reading = clock.local_at(global);
    REQUIRE(reading >= previous);
    previous = reading;
  }
}

}  // namespace
}  // namespace edgecache::sim
