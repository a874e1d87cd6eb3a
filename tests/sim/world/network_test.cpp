// Tests for the link delay model. Each distribution is sampled many times and its sample mean and standard
// deviation compared with the options that asked for it; the fixed parts (clamping, jitter range, size over
// bandwidth, rounding to microseconds) are checked exactly.

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/codec.h"
#include "sim/world/network.h"

namespace edgecache::sim {
namespace {

struct Moments {
  double mean = 0;
  double stddev = 0;
};

Moments latency_moments(const LinkOptions& link, int samples) {
  Rng rng(99);
  double sum = 0;
  double square_sum = 0;
  for (int i = 0; i < samples; ++i) {
    const double value = draw_latency_ms(link, rng);
    sum += value;
    square_sum += value * value;
  }
  const double mean = sum / samples;
  return Moments{mean, std::sqrt(square_sum / samples - mean * mean)};
}

LinkOptions link_with(LatencyDistribution distribution, double mean, double stddev) {
  LinkOptions link;
  link.latency_distribution = distribution;
  link.latency_ms_mean = mean;
  link.latency_ms_stddev = stddev;
  return link;
}

TEST_CASE("Link delay: each distribution has the requested mean and spread", "[sim][network]") {
  const Moments constant = latency_moments(link_with(LatencyDistribution::constant, 3.0, 2.0), 1000);
  CHECK(constant.mean == Approx(3.0));
  CHECK(constant.stddev == Approx(0.0).margin(1e-9));

  for (const LatencyDistribution distribution :
       {LatencyDistribution::uniform, LatencyDistribution::normal, LatencyDistribution::lognormal}) {
    const Moments moments = latency_moments(link_with(distribution, 20.0, 5.0), 200000);
    CHECK(moments.mean == Approx(20.0).margin(0.1));
    CHECK(moments.stddev == Approx(5.0).margin(0.1));
  }

  // Uniform never leaves mean +- stddev * sqrt(3); lognormal is never negative.
  Rng rng(1);
  for (int i = 0; i < 10000; ++i) {
    const double uniform = draw_latency_ms(link_with(LatencyDistribution::uniform, 10.0, 1.0), rng);
    REQUIRE(std::abs(uniform - 10.0) <= std::sqrt(3.0) + 1e-12);
    REQUIRE(draw_latency_ms(link_with(LatencyDistribution::lognormal, 1.0, 3.0), rng) > 0.0);
  }
}

TEST_CASE("Link delay: clamped at zero, jittered, priced by size, in microseconds", "[sim][network]") {
  Rng rng(5);
  const Message heartbeat = Heartbeat{7};

  // A wide normal around 1 ms often draws negative latencies; the delay never goes below zero.
  for (int i = 0; i < 10000; ++i) {
    REQUIRE(draw_link_delay_us(link_with(LatencyDistribution::normal, 1.0, 10.0), rng, heartbeat) >= 0);
  }

  LinkOptions jittery = link_with(LatencyDistribution::constant, 2.0, 0.0);
  jittery.jitter_ms = 0.5;
  bool saw_jitter = false;
  for (int i = 0; i < 10000; ++i) {
    const TimeUs delay = draw_link_delay_us(jittery, rng, heartbeat);
    REQUIRE(delay >= 2000);
    REQUIRE(delay <= 2500);
    saw_jitter = saw_jitter || delay != 2000;
  }
  CHECK(saw_jitter);

  LinkOptions narrow = link_with(LatencyDistribution::constant, 0.0004, 0.0);
  CHECK(draw_link_delay_us(narrow, rng, heartbeat) == 0);  // 0.4 us rounds down.
  narrow.latency_ms_mean = 0.0015;
  CHECK(draw_link_delay_us(narrow, rng, heartbeat) == 2);  // 1.5 us rounds to nearest, away from zero.

  LinkOptions slow = link_with(LatencyDistribution::constant, 1.0, 0.0);
  slow.bandwidth_bytes_per_ms = 10.0;
  const Message holding = Holding{1, true, false, std::vector<ImageId>(100, 5)};
  const double size_ms = static_cast<double>(encoded_size(holding)) / 10.0;
  CHECK(draw_link_delay_us(slow, rng, holding) == std::llround((1.0 + size_ms) * 1000.0));
}

}  // namespace
}  // namespace edgecache::sim
