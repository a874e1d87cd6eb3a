#pragma once
// The simulated network's delay model: how long one message takes over one directed link. The world owns
// link state (cuts, overrides, streams); this file only turns a link's options and its random stream into
// a delay, so the distributions can be tested on their own.

#include <cstdint>

#include "core/messages.h"
#include "core/types.h"
#include "sim/random.h"
#include "sim/scenario.h"

namespace edgecache::sim {

// Returns one latency draw in milliseconds, before clamping: constant gives the mean; uniform spans
// mean +- stddev * sqrt(3); normal is mean + stddev * N(0, 1); lognormal is parameterised so that its own
// mean and standard deviation are latency_ms_mean and latency_ms_stddev. Constant draws nothing.
double draw_latency_ms(const LinkOptions& link, Rng& rng);

// Returns the one-way delay of `message` over a link with `link`'s options, in whole microseconds (rounded
// to nearest): the latency draw clamped at zero, plus jitter uniform in [0, jitter_ms), plus the encoded
// size divided by the bandwidth when the bandwidth is positive. Never negative.
TimeUs draw_link_delay_us(const LinkOptions& link, Rng& rng, const Message& message);

}  // namespace edgecache::sim
