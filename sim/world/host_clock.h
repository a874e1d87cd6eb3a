#pragma once
// A simulated host's local clock. It is a piecewise-linear function of global time: from the last anchor it
// advances at (1 + drift_ppm / 1e6) times the true rate. Readings are whole microseconds and never go
// backwards, because the clock only ever jumps forward and its rate is always positive.

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/assert.h"
#include "core/types.h"

namespace edgecache::sim {

class HostClock {
 public:
  // Returns the local reading at global time `global_us`. REQUIRES: global_us >= the last anchor.
  TimeUs local_at(TimeUs global_us) const {
    const TimeUs elapsed_us = global_us - global_anchor_us_;
    if (drift_ppm_ == 0.0) return local_anchor_us_ + elapsed_us;
    // The drift term is floored on its own so the exact integer part of the elapsed time keeps full
    // precision however long the run; floor of a non-decreasing function stays non-decreasing.
    const double drift_us = std::floor(static_cast<double>(elapsed_us) * drift_ppm_ / 1e6);
    return local_anchor_us_ + elapsed_us + static_cast<TimeUs>(drift_us);
  }

  // Returns how much global time passes while this clock advances `local_delay_us`: the delay divided by
  // the rate, rounded up so a timer never fires before its local delay could have elapsed.
  TimeUs global_delay(TimeUs local_delay_us) const {
    if (drift_ppm_ == 0.0) return std::max<TimeUs>(local_delay_us, 0);
    // Dividing scaled integers instead of by the rate keeps whole-ppm cases exact: 1001000 us at +1000 ppm
    // is exactly 1000000 us, where 1001000 / 1.001 rounds to just above it and ceil would add a microsecond.
    const double global_us =
        std::ceil(static_cast<double>(local_delay_us) * 1e6 / (1e6 + drift_ppm_));
    if (global_us <= 0.0) return 0;
    // Absurdly long delays (a node's "never") saturate instead of overflowing.
    if (global_us >= static_cast<double>(std::numeric_limits<TimeUs>::max() / 2)) {
      return std::numeric_limits<TimeUs>::max() / 2;
    }
    return static_cast<TimeUs>(global_us);
  }

  // Re-anchors at global time `global_us`: the reading jumps forward by `offset_jump_us` and from then on
  // advances at the rate `drift_ppm` gives. REQUIRES: offset_jump_us >= 0 and drift_ppm > -1e6.
  void set(TimeUs global_us, TimeUs offset_jump_us, double drift_ppm) {
    EC_ASSERT(offset_jump_us >= 0, "a monotonic clock never jumps backwards");
    EC_ASSERT(drift_ppm > -1e6, "a clock must keep running forwards");
    local_anchor_us_ = local_at(global_us) + offset_jump_us;
    global_anchor_us_ = global_us;
    drift_ppm_ = drift_ppm;
  }

  double drift_ppm() const { return drift_ppm_; }

 private:
  TimeUs global_anchor_us_ = 0;
  TimeUs local_anchor_us_ = 0;
  double drift_ppm_ = 0.0;
};

}  // namespace edgecache::sim
