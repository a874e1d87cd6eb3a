#include "sim/network.h"

#include <algorithm>
#include <cmath>

#include "core/codec.h"

namespace edgecache::sim {

double draw_latency_ms(const LinkOptions& link, Rng& rng) {
  const double mean = link.latency_ms_mean;
  const double stddev = link.latency_ms_stddev;
  switch (link.latency_distribution) {
    case LatencyDistribution::constant:
      return mean;
    case LatencyDistribution::uniform:
      // A uniform distribution of half-width w has standard deviation w / sqrt(3).
      return mean + (2.0 * rng.unit() - 1.0) * stddev * std::sqrt(3.0);
    case LatencyDistribution::normal:
      return mean + stddev * rng.normal();
    case LatencyDistribution::lognormal: {
      // A lognormal without spread, or with a non-positive mean, has no valid parameters; it degenerates
      // to the constant mean, which the caller clamps.
      if (mean <= 0.0 || stddev <= 0.0) return mean;
      // For X = exp(mu + sigma * Z): E[X] = exp(mu + sigma^2 / 2) and Var[X] = (exp(sigma^2) - 1) E[X]^2,
      // solved here for mu and sigma from the requested mean and stddev.
      const double sigma_squared = std::log1p((stddev * stddev) / (mean * mean));
      const double mu = std::log(mean) - sigma_squared / 2.0;
      return std::exp(mu + std::sqrt(sigma_squared) * rng.normal());
    }
  }
  return mean;
}

TimeUs draw_link_delay_us(const LinkOptions& link, Rng& rng, const Message& message) {
  double delay_ms = std::max(draw_latency_ms(link, rng), 0.0);
  if (link.jitter_ms > 0.0) delay_ms += rng.unit() * link.jitter_ms;
  // The size is only computed when it matters, since encoded_size walks the message.
  if (link.bandwidth_bytes_per_ms > 0.0) {
    delay_ms += static_cast<double>(encoded_size(message)) / link.bandwidth_bytes_per_ms;
  }
  return static_cast<TimeUs>(std::llround(delay_ms * static_cast<double>(us_per_ms)));
}

}  // namespace edgecache::sim
