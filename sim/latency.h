#pragma once
// Request latency figures of a run: percentiles over the whole run, before the first fault (the steady
// state), and in the window after each fault, so "how much slower are clients right after a leader crash"
// is a number the summary prints rather than a claim. Both the simulator and `sim check` over a real run's
// node traces fill one from their clients' results.
//
// Memory does not grow with the run's length: each figure is a fixed-size histogram, and at most
// max_latency_fault_windows faults get a window of their own.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/types.h"

namespace edgecache::sim {

// How long after a fault its window lasts: requests that start within it count in the fault's figures.
constexpr TimeUs latency_fault_window_us = 1'000'000;
// Faults after this many get no window of their own (a long nemesis run has thousands); the run's and the
// steady state's figures still count every request.
constexpr std::size_t max_latency_fault_windows = 64;

// Latencies in log-linear buckets, as HdrHistogram keeps them: exact below 32 µs, then 32 buckets per power
// of two, so a percentile read back is at most 1/32 (3.1 %) above the true value and never below it.
class LatencyHistogram {
 public:
  static constexpr int sub_bucket_bits = 5;
  static constexpr std::size_t sub_buckets = std::size_t{1} << sub_bucket_bits;
  // Latencies up to 2^40 µs (12 days) have a bucket; longer ones count in the last.
  static constexpr int max_exponent = 40;
  static constexpr std::size_t bucket_count = sub_buckets * (max_exponent - sub_bucket_bits + 2);

  void record(TimeUs latency_us);

  std::uint64_t count() const { return count_; }
  TimeUs max_us() const { return max_us_; }
  // The smallest bucket bound at or above the latency of rank ceil(fraction * count); 0 if nothing was
  // recorded. REQUIRES: 0 < fraction <= 1.
  TimeUs percentile_us(double fraction) const;

  // The bucket that holds `latency_us`, and the largest latency that bucket holds. Public for the tests.
  static std::size_t bucket_of(TimeUs latency_us);
  static TimeUs bucket_upper_us(std::size_t bucket);

 private:
  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t count_ = 0;
  TimeUs max_us_ = 0;
};

// The latency figures of one run.
class LatencyReport {
 public:
  struct FaultWindow {
    std::size_t fault_index = 0;  // Into RunReport::faults.
    TimeUs at_us = 0;
    LatencyHistogram latencies;
  };

  // A fault fired at `now_us`; it is RunReport::faults[fault_index]. Faults come in time order.
  void on_fault(TimeUs now_us, std::size_t fault_index);
  // A request finished at `now_us` after `latency_us`; it started at now_us - latency_us.
  void on_result(TimeUs now_us, TimeUs latency_us);

  const LatencyHistogram& run() const { return run_; }
  // Requests that started before the first fault (all of them in a run without faults).
  const LatencyHistogram& steady() const { return steady_; }
  const std::vector<FaultWindow>& fault_windows() const { return windows_; }

 private:
  LatencyHistogram run_;
  LatencyHistogram steady_;
  std::vector<FaultWindow> windows_;
  bool any_fault_ = false;
  TimeUs first_fault_us_ = 0;
};

}  // namespace edgecache::sim
