#include "sim/zipf.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace edgecache::sim {

namespace {
// log1p(x) / x, accurate near zero.
double log1p_over_x(double x) { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x / 3.0); }
// expm1(x) / x, accurate near zero.
double expm1_over_x(double x) { return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0); }
}  // namespace

ZipfSampler::ZipfSampler(std::uint64_t n, double s) : n_(n), s_(s) {
  EC_ASSERT(n >= 1 && s > 0, "Zipf needs n >= 1 and s > 0");
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n_) + 0.5);
  threshold_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

double ZipfSampler::h(double x) const { return std::exp(-s_ * std::log(x)); }

double ZipfSampler::h_integral(double x) const {
  double log_x = std::log(x);
  return expm1_over_x((1.0 - s_) * log_x) * log_x;
}

double ZipfSampler::h_integral_inverse(double x) const {
  double t = std::max(x * (1.0 - s_), -1.0);
  return std::exp(log1p_over_x(t) * x);
}

std::uint64_t ZipfSampler::sample(Rng& rng) const {
  while (true) {
    double u = h_integral_n_ + rng.unit() * (h_integral_x1_ - h_integral_n_);
    double x = h_integral_inverse(u);
    auto k = static_cast<std::uint64_t>(std::clamp(x + 0.5, 1.0, static_cast<double>(n_)));
    double kd = static_cast<double>(k);
    if (kd - x <= threshold_ || u >= h_integral(kd + 0.5) - h(kd)) return k;
  }
}

}  // namespace edgecache::sim
