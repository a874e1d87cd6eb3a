// Tests for the simulator's random number generator. Reproducibility is checked by drawing the same stream
// twice; independence by interleaving draws from several streams and comparing against each stream drawn
// alone; the distributions by the sample mean (and spread) of many draws, with tolerances several standard
// errors wide so the tests are deterministic in practice as well as in principle (the seeds are fixed).

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/world/random.h"

namespace edgecache::sim {
namespace {

std::vector<std::uint64_t> draws(Rng rng, int count) {
  std::vector<std::uint64_t> values;
  for (int i = 0; i < count; ++i) values.push_back(rng.next_u64());
  return values;
}

TEST_CASE("Rng: the same seed gives the same stream", "[sim][random]") {
  CHECK(draws(Rng(42), 100) == draws(Rng(42), 100));
  CHECK(draws(Rng(42), 100) != draws(Rng(43), 100));
  CHECK(draws(Rng::stream(7, 1, 2), 100) == draws(Rng::stream(7, 1, 2), 100));
}

TEST_CASE("Rng: outputs are pinned so traces stay comparable across releases", "[sim][random]") {
  // These golden values were produced by this implementation; a change means every recorded seed would
  // replay differently, which must be a deliberate decision.
  Rng rng(1);
  const std::uint64_t first = rng.next_u64();
  const std::uint64_t second = rng.next_u64();
  Rng again(1);
  CHECK(again.next_u64() == first);
  CHECK(again.next_u64() == second);
  CHECK(first == 0xb3f2af6d0fc710c5ULL);
  CHECK(Rng::stream(1, 2, 3).next_u64() == 0xca69c028e6e283e8ULL);
}

TEST_CASE("Rng: streams differ by every tag and do not disturb each other", "[sim][random]") {
  const auto base = draws(Rng::stream(5, 1, 1), 50);
  CHECK(base != draws(Rng::stream(6, 1, 1), 50));
  CHECK(base != draws(Rng::stream(5, 2, 1), 50));
  CHECK(base != draws(Rng::stream(5, 1, 2), 50));
  // Swapped tags must not collide either.
  CHECK(draws(Rng::stream(5, 1, 2), 50) != draws(Rng::stream(5, 2, 1), 50));

  // Interleaving draws from a newly added stream changes nothing in the first one.
  Rng first = Rng::stream(5, 1, 1);
  Rng added = Rng::stream(5, 1, 99);
  std::vector<std::uint64_t> interleaved;
  for (int i = 0; i < 50; ++i) {
    interleaved.push_back(first.next_u64());
    added.next_u64();
    added.next_u64();
  }
  CHECK(interleaved == base);
}

TEST_CASE("Rng: below stays in range and is roughly uniform", "[sim][random]") {
  Rng rng(11);
  for (int i = 0; i < 1000; ++i) CHECK(rng.below(1) == 0);

  constexpr int buckets = 10;
  constexpr int samples = 100000;
  std::array<int, buckets> counts{};
  for (int i = 0; i < samples; ++i) {
    const std::uint64_t value = rng.below(buckets);
    REQUIRE(value < buckets);
    ++counts[value];
  }
  // Each bucket expects 10000 with a standard deviation near 95; 5% is about five of them.
  for (const int count : counts) CHECK(std::abs(count - samples / buckets) < samples / buckets / 20);

  // A bound just above 2^63 rejects almost half the raw draws; the results must still be in range.
  const std::uint64_t huge = (1ULL << 63) + 1;
  for (int i = 0; i < 1000; ++i) CHECK(rng.below(huge) < huge);
}

TEST_CASE("Rng: unit, chance, normal and exponential have the right moments", "[sim][random]") {
  Rng rng(2024);
  constexpr int samples = 200000;

  double unit_sum = 0;
  for (int i = 0; i < samples; ++i) {
    const double value = rng.unit();
    REQUIRE(value >= 0.0);
    REQUIRE(value < 1.0);
    unit_sum += value;
  }
  CHECK(unit_sum / samples == Approx(0.5).margin(0.005));

  int hits = 0;
  for (int i = 0; i < samples; ++i) hits += rng.chance(0.3) ? 1 : 0;
  CHECK(static_cast<double>(hits) / samples == Approx(0.3).margin(0.005));
  for (int i = 0; i < 100; ++i) {
    CHECK_FALSE(rng.chance(0.0));
    CHECK_FALSE(rng.chance(-1.0));
    CHECK(rng.chance(1.0));
  }

  double normal_sum = 0;
  double normal_square_sum = 0;
  for (int i = 0; i < samples; ++i) {
    const double value = rng.normal();
    normal_sum += value;
    normal_square_sum += value * value;
  }
  const double normal_mean = normal_sum / samples;
  CHECK(normal_mean == Approx(0.0).margin(0.01));
  CHECK(normal_square_sum / samples - normal_mean * normal_mean == Approx(1.0).margin(0.02));

  double exponential_sum = 0;
  for (int i = 0; i < samples; ++i) {
    const double value = rng.exponential(4.0);
    REQUIRE(value >= 0.0);
    exponential_sum += value;
  }
  CHECK(exponential_sum / samples == Approx(4.0).margin(0.05));
}

}  // namespace
}  // namespace edgecache::sim
