#include "sim/world/network.h"

#include <algorithm>
#include <cmath>

#include "core/codec.h"

namespace edgecache::sim {

LinkModel::LinkModel(const LinkOptions& options) : options_(options) {
  const double mean = options.latency_ms_mean;
  const double stddev = options.latency_ms_stddev;
  // A lognormal without spread, or with a non-positive mean, has no valid parameters; it degenerates to the
  // constant mean, which the caller clamps.
  if (options.latency_distribution != LatencyDistribution::lognormal || mean <= 0.0 || stddev <= 0.0) return;
  // For X = exp(mu + sigma * Z): E[X] = exp(mu + sigma^2 / 2) and Var[X] = (exp(sigma^2) - 1) E[X]^2, solved
  // here for mu and sigma from the requested mean and stddev.
  const double sigma_squared = std::log1p((stddev * stddev) / (mean * mean));
  lognormal_spread_ = true;
  lognormal_mu_ = std::log(mean) - sigma_squared / 2.0;
  lognormal_sigma_ = std::sqrt(sigma_squared);
}

double LinkModel::draw_latency_ms(Rng& rng) const {
  const double mean = options_.latency_ms_mean;
  const double stddev = options_.latency_ms_stddev;
  switch (options_.latency_distribution) {
    case LatencyDistribution::constant:
      return mean;
    case LatencyDistribution::uniform:
      // A uniform distribution of half-width w has standard deviation w / sqrt(3).
      return mean + (2.0 * rng.unit() - 1.0) * stddev * std::sqrt(3.0);
    case LatencyDistribution::normal:
      return mean + stddev * rng.normal();
    case LatencyDistribution::lognormal:
      if (!lognormal_spread_) return mean;
      return std::exp(lognormal_mu_ + lognormal_sigma_ * rng.normal());
  }
  return mean;
}

TimeUs LinkModel::draw_delay_us(Rng& rng, const Message& message) const {
  double delay_ms = std::max(draw_latency_ms(rng), 0.0);
  if (options_.jitter_ms > 0.0) delay_ms += rng.unit() * options_.jitter_ms;
  // The size is only computed when it matters, since encoded_size walks the message.
  if (options_.bandwidth_bytes_per_ms > 0.0) {
    delay_ms += static_cast<double>(encoded_size(message)) / options_.bandwidth_bytes_per_ms;
  }
  return static_cast<TimeUs>(std::llround(delay_ms * static_cast<double>(us_per_ms)));
}

double draw_latency_ms(const LinkOptions& link, Rng& rng) { return LinkModel(link).draw_latency_ms(rng); }

TimeUs draw_link_delay_us(const LinkOptions& link, Rng& rng, const Message& message) {
  return LinkModel(link).draw_delay_us(rng, message);
}

}  // namespace edgecache::sim
