#pragma once
// A smoothed estimate of how long a good answer takes, kept as TCP keeps its round-trip time (RFC 6298):
// an exponentially weighted mean and mean deviation of the samples, in integer microseconds so both worlds
// and every platform compute the same figures. The client hedges a request that has waited longer than
// mean + 4 * deviation, which covers all but the slowest few percent of answers.

#include "core/types.h"

namespace edgecache {

class LatencyEstimator {
 public:
  // `initial_us` is what bound_us() returns before the first sample. REQUIRES: initial_us > 0.
  explicit LatencyEstimator(TimeUs initial_us);

  // Adds the latency of one answer. A negative sample (impossible on a monotonic clock) counts as 0.
  void add(TimeUs sample_us);

  bool has_samples() const { return has_samples_; }
  TimeUs mean_us() const { return mean_us_; }
  TimeUs deviation_us() const { return deviation_us_; }
  // mean + 4 * deviation once there are samples, `initial_us` before; never below 1.
  TimeUs bound_us() const;

 private:
  TimeUs initial_us_;
  TimeUs mean_us_ = 0;
  TimeUs deviation_us_ = 0;
  bool has_samples_ = false;
};

}  // namespace edgecache
