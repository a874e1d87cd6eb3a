#pragma once
// The simulated network's delay model: how long one message takes over one directed link. The world owns
// link state (cuts, overrides, streams); this file only turns a link's options and its random stream into
// a delay, so the distributions can be tested on their own.

#include <cstdint>

#include "core/messages.h"
#include "core/types.h"
#include "sim/world/link_options.h"
#include "sim/world/random.h"

namespace edgecache::sim {

// A link's options with what their distribution needs derived once (the lognormal's parameters cost two
// logarithms and a square root, and every simulated message draws a delay).
class LinkModel {
 public:
  explicit LinkModel(const LinkOptions& options);
  const LinkOptions& options() const { return options_; }
  // See draw_latency_ms() and draw_link_delay_us() below.
  double draw_latency_ms(Rng& rng) const;
  TimeUs draw_delay_us(Rng& rng, const Message& message) const;

 private:
  LinkOptions options_;
  bool lognormal_spread_ = false;  // A lognormal with a positive mean and spread; otherwise it is constant.
  double lognormal_mu_ = 0.0;
  double lognormal_sigma_ = 0.0;
};

// Returns one latency draw in milliseconds, before clamping: constant gives the mean; uniform spans
// mean +- stddev * sqrt(3); normal is mean + stddev * N(0, 1); lognormal is parameterised so that its own
// mean and standard deviation are latency_ms_mean and latency_ms_stddev. Constant draws nothing.
double draw_latency_ms(const LinkOptions& link, Rng& rng);

// Returns the one-way delay of `message` over a link with `link`'s options, in whole microseconds (rounded
// to nearest): the latency draw clamped at zero, plus jitter uniform in [0, jitter_ms), plus the encoded
// size divided by the bandwidth when the bandwidth is positive. Never negative.
TimeUs draw_link_delay_us(const LinkOptions& link, Rng& rng, const Message& message);

}  // namespace edgecache::sim
