#include "sim/latency.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/assert.h"

namespace edgecache::sim {

std::size_t LatencyHistogram::bucket_of(TimeUs latency_us) {
  const auto value = static_cast<std::uint64_t>(std::max<TimeUs>(latency_us, 0));
  if (value < sub_buckets) return static_cast<std::size_t>(value);
  const int exponent = std::bit_width(value) - 1;
  if (exponent > max_exponent) return bucket_count - 1;
  // The top sub_bucket_bits + 1 bits of the value: its leading one and the sub-bucket within its power of two.
  const std::uint64_t top = value >> (exponent - sub_bucket_bits);
  return static_cast<std::size_t>(exponent - sub_bucket_bits + 1) * sub_buckets + static_cast<std::size_t>(top) - sub_buckets;
}

TimeUs LatencyHistogram::bucket_upper_us(std::size_t bucket) {
  EC_ASSERT(bucket < bucket_count, "a histogram bucket index is below bucket_count");
  if (bucket < sub_buckets) return static_cast<TimeUs>(bucket);
  const int shift = static_cast<int>(bucket / sub_buckets) - 1;
  const std::uint64_t top = sub_buckets + bucket % sub_buckets;
  return static_cast<TimeUs>(((top + 1) << shift) - 1);
}

void LatencyHistogram::record(TimeUs latency_us) {
  // A client's latency is read from its own clock, which a clock fault may step back: that is no latency.
  const TimeUs latency = std::max<TimeUs>(latency_us, 0);
  ++counts_[bucket_of(latency)];
  ++count_;
  max_us_ = std::max(max_us_, latency);
}

TimeUs LatencyHistogram::percentile_us(double fraction) const {
  EC_ASSERT(fraction > 0 && fraction <= 1, "a percentile is a fraction in (0, 1]");
  if (count_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < bucket_count; ++bucket) {
    seen += counts_[bucket];
    // The exact maximum is a tighter bound than its bucket's for the highest ranks.
    if (seen >= rank) return std::min(bucket_upper_us(bucket), max_us_);
  }
  return max_us_;
}

void LatencyReport::on_fault(TimeUs now_us, std::size_t fault_index) {
  if (!any_fault_) first_fault_us_ = now_us;
  any_fault_ = true;
  if (windows_.size() < max_latency_fault_windows) windows_.push_back({fault_index, now_us, {}});
}

void LatencyReport::on_result(TimeUs now_us, TimeUs latency_us) {
  run_.record(latency_us);
  const TimeUs started_us = now_us - std::max<TimeUs>(latency_us, 0);
  // A fault that fired after the request started has already been seen, since faults come in time order
  // and the request ends now; so "before the first fault" is known here.
  if (!any_fault_ || started_us < first_fault_us_) steady_.record(latency_us);
  // Windows are in time order and all as long, so the ones holding `started_us` are contiguous: those that
  // began at or before it and less than a window earlier.
  auto first = std::partition_point(windows_.begin(), windows_.end(), [&](const FaultWindow& window) {
    return window.at_us + latency_fault_window_us <= started_us;
  });
  for (auto window = first; window != windows_.end() && window->at_us <= started_us; ++window) {
    window->latencies.record(latency_us);
  }
}

}  // namespace edgecache::sim
