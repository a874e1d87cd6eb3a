#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/latency.h"

using namespace edgecache;
using namespace edgecache::sim;

TEST_CASE("latency buckets are exact below 32 µs and at most 1/32 wide above", "[sim][latency]") {
  for (TimeUs value = 0; value < 32; ++value) {
    CHECK(LatencyHistogram::bucket_upper_us(LatencyHistogram::bucket_of(value)) == value);
  }
  // Every value lies in its bucket, whose bound is at most 1/32 above it; neighbouring buckets do not overlap.
  for (TimeUs value : {TimeUs{32}, TimeUs{33}, TimeUs{63}, TimeUs{64}, TimeUs{65}, TimeUs{1000}, TimeUs{499'999},
                       TimeUs{500'000}, TimeUs{3'000'000}, TimeUs{1} << 39}) {
    INFO(value);
    const std::size_t bucket = LatencyHistogram::bucket_of(value);
    const TimeUs upper = LatencyHistogram::bucket_upper_us(bucket);
    CHECK(upper >= value);
    CHECK(upper - value <= value / 32);
    CHECK(LatencyHistogram::bucket_upper_us(bucket - 1) < value);
  }
  CHECK(LatencyHistogram::bucket_of(-5) == 0);
  CHECK(LatencyHistogram::bucket_of(TimeUs{1} << 50) == LatencyHistogram::bucket_count - 1);
}

TEST_CASE("latency percentiles are never below the true value and at most 1/32 above it", "[sim][latency]") {
  LatencyHistogram histogram;
  CHECK(histogram.percentile_us(0.99) == 0);
  std::mt19937_64 random(7);
  std::vector<TimeUs> values;
  for (int index = 0; index < 10'000; ++index) {
    values.push_back(static_cast<TimeUs>(random() % 2'000'000));
    histogram.record(values.back());
  }
  std::sort(values.begin(), values.end());
  CHECK(histogram.count() == values.size());
  CHECK(histogram.max_us() == values.back());
  CHECK(histogram.percentile_us(1.0) == values.back());
  for (double fraction : {0.001, 0.5, 0.9, 0.99, 0.999}) {
    INFO(fraction);
    const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size())));
    const TimeUs exact = values[rank - 1];
    CHECK(histogram.percentile_us(fraction) >= exact);
    CHECK(histogram.percentile_us(fraction) <= exact + exact / 32);
  }
}

TEST_CASE("a request counts in the steady state before the first fault and in every window it started in",
          "[sim][latency]") {
  LatencyReport report;
  report.on_result(100'000, 2'000);  // Started at 98 ms: steady.
  report.on_fault(200'000, 0);
  report.on_fault(700'000, 1);
  report.on_fault(5'000'000, 2);
  // Started at 150 ms, before the first fault, and ended after it: still the steady state's.
  report.on_result(250'000, 100'000);
  // Started at 250 ms: in the first window only.
  report.on_result(750'000, 500'000);
  // Started at 900 ms: in both the first (200 to 1,200 ms) and the second (700 to 1,700 ms).
  report.on_result(1'000'000, 100'000);
  // Started at 1,500 ms: in the second only.
  report.on_result(1'600'000, 100'000);
  // Started at 3 s: in no window.
  report.on_result(3'000'500, 500);

  CHECK(report.run().count() == 6);
  CHECK(report.steady().count() == 2);
  CHECK(report.steady().max_us() == 100'000);
  REQUIRE(report.fault_windows().size() == 3);
  CHECK(report.fault_windows()[0].latencies.count() == 2);
  CHECK(report.fault_windows()[0].latencies.max_us() == 500'000);
  CHECK(report.fault_windows()[1].latencies.count() == 2);
  CHECK(report.fault_windows()[1].latencies.max_us() == 100'000);
  CHECK(report.fault_windows()[2].latencies.count() == 0);
  CHECK(report.fault_windows()[2].fault_index == 2);
}

TEST_CASE("faults beyond max_latency_fault_windows get no window, and their requests still count in the run",
          "[sim][latency]") {
  LatencyReport report;
  for (std::size_t index = 0; index < max_latency_fault_windows + 10; ++index) {
    report.on_fault(static_cast<TimeUs>(index) * 2 * latency_fault_window_us, index);
  }
  CHECK(report.fault_windows().size() == max_latency_fault_windows);
  report.on_result(1'000'000'000, 10);
  CHECK(report.run().count() == 1);
  CHECK(report.steady().count() == 0);
}
