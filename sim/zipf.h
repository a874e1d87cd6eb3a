#pragma once
// Draws ranks 1..n with probability proportional to 1 / rank^s, in O(1) time and memory per draw, by
// rejection-inversion (Hörmann and Derflinger, 1996), so a catalog of millions needs no table.

#include <cstdint>

#include "sim/world/random.h"

namespace edgecache::sim {

class ZipfSampler {
 public:
  // REQUIRES: n >= 1, s > 0.
  ZipfSampler(std::uint64_t n, double s);
  // Returns a rank in [1, n].
  std::uint64_t sample(Rng& rng) const;

 private:
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  std::uint64_t n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double threshold_;
};

}  // namespace edgecache::sim
