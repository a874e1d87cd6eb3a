#include "core/latency_estimator.h"

#include <algorithm>

#include "core/assert.h"

namespace edgecache {

LatencyEstimator::LatencyEstimator(TimeUs initial_us) : initial_us_(initial_us) {
  EC_ASSERT(initial_us > 0, "a latency estimate starts positive");
}

void LatencyEstimator::add(TimeUs sample_us) {
  sample_us = std::max<TimeUs>(sample_us, 0);
  if (!has_samples_) {
    // RFC 6298 (2.2): the first sample sets the mean, and half of it the deviation.
    mean_us_ = sample_us;
    deviation_us_ = sample_us / 2;
    has_samples_ = true;
    return;
  }
  // RFC 6298 (2.3) with its gains, alpha = 1/8 and beta = 1/4; the deviation uses the mean before this sample.
  const TimeUs error_us = sample_us > mean_us_ ? sample_us - mean_us_ : mean_us_ - sample_us;
  deviation_us_ += (error_us - deviation_us_) / 4;
  mean_us_ += (sample_us - mean_us_) / 8;
}

TimeUs LatencyEstimator::bound_us() const {
  if (!has_samples_) return initial_us_;
  return std::max<TimeUs>(mean_us_ + 4 * deviation_us_, 1);
}

}  // namespace edgecache
