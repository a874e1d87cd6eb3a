// Tests for the latency estimator. Method: feed known samples and compare the mean, deviation and bound with
// RFC 6298's formulas worked by hand, in integer microseconds.

#include <catch2/catch.hpp>

#include "core/latency_estimator.h"

namespace edgecache {
namespace {

TEST_CASE("latency estimator returns its initial bound until the first sample", "[core][latency_estimator]") {
  LatencyEstimator estimator(50'000);
  CHECK_FALSE(estimator.has_samples());
  CHECK(estimator.bound_us() == 50'000);
}

TEST_CASE("latency estimator follows RFC 6298", "[core][latency_estimator]") {
  LatencyEstimator estimator(50'000);
  estimator.add(8'000);
  // First sample: mean = R, deviation = R / 2.
  CHECK(estimator.mean_us() == 8'000);
  CHECK(estimator.deviation_us() == 4'000);
  CHECK(estimator.bound_us() == 24'000);
  estimator.add(16'000);
  // deviation = 3/4 * 4000 + 1/4 * |8000 - 16000| = 5000; mean = 7/8 * 8000 + 1/8 * 16000 = 9000.
  CHECK(estimator.deviation_us() == 5'000);
  CHECK(estimator.mean_us() == 9'000);
  CHECK(estimator.bound_us() == 29'000);
}

TEST_CASE("latency estimator settles on a steady latency", "[core][latency_estimator]") {
  LatencyEstimator estimator(50'000);
  for (int i = 0; i < 200; ++i) estimator.add(3'000);
  CHECK(estimator.mean_us() == 3'000);
  // The deviation decays towards zero (integer steps stop it a few microseconds short).
  CHECK(estimator.deviation_us() < 10);
  CHECK(estimator.bound_us() >= 3'000);
  CHECK(estimator.bound_us() < 3'040);
}

TEST_CASE("latency estimator treats a negative sample as zero", "[core][latency_estimator]") {
  LatencyEstimator estimator(1);
  estimator.add(-5);
  CHECK(estimator.mean_us() == 0);
  CHECK(estimator.bound_us() == 1);  // Never below one microsecond.
}

}  // namespace
}  // namespace edgecache
