#include "sim/world/random.h"

#include <bit>
#include <cmath>

#include "core/assert.h"

namespace edgecache::sim {
namespace {

// Advances a splitmix64 state and returns its next output. Splitmix64 turns any 64-bit value, even a small
// or structured one such as a node id, into well-mixed bits, which is what xoshiro's state needs.
std::uint64_t splitmix64_next(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t mixed = state;
  mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
  return mixed ^ (mixed >> 31);
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t splitmix_state = seed;
  for (std::uint64_t& word : state_) word = splitmix64_next(splitmix_state);
  // xoshiro's one forbidden state is all zeros; splitmix64 never yields four zero words in a row, but the
  // generator would silently emit zeros forever if it did.
  EC_ASSERT((state_[0] | state_[1] | state_[2] | state_[3]) != 0, "xoshiro256** state must not be all zero");
}

Rng Rng::stream(std::uint64_t seed, std::uint64_t tag_a, std::uint64_t tag_b) {
  // Each input is folded in and then remixed, so (seed, a, b) and (seed, b, a) give unrelated streams and a
  // stream depends on nothing but its three inputs.
  std::uint64_t state = seed;
  std::uint64_t hash = splitmix64_next(state);
  state = hash ^ tag_a;
  hash = splitmix64_next(state);
  state = hash ^ tag_b;
  hash = splitmix64_next(state);
  return Rng(hash);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = std::rotl(state_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t bound) {
  EC_ASSERT(bound > 0, "below() needs a positive bound");
  // Draws below `threshold` (which is 2^64 mod bound) are rejected, so the accepted range is a whole number
  // of copies of [0, bound) and every residue is equally likely.
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t draw = next_u64();
    if (draw >= threshold) return draw % bound;
  }
}

double Rng::unit() {
  // The top 53 bits fill a double's mantissa exactly, so every value is a multiple of 2^-53 below 1.
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

bool Rng::chance(double probability) {
  // Certain outcomes draw nothing, which keeps a fault-free link cheap.
  if (probability <= 0.0) return false;
  if (probability >= 1.0) return true;
  return unit() < probability;
}

double Rng::normal() {
  // Marsaglia's polar method needs only log and sqrt. The second value of each pair is discarded so that a
  // draw depends on nothing cached from an earlier call.
  for (;;) {
    const double u = 2.0 * unit() - 1.0;
    const double v = 2.0 * unit() - 1.0;
    const double radius_squared = u * u + v * v;
    if (radius_squared > 0.0 && radius_squared < 1.0) {
      return u * std::sqrt(-2.0 * std::log(radius_squared) / radius_squared);
    }
  }
}

double Rng::exponential(double mean) {
  EC_ASSERT(mean > 0.0, "exponential() needs a positive mean");
  // 1 - unit() lies in (0, 1], so the logarithm is always finite.
  return -mean * std::log1p(-unit());
}

}  // namespace edgecache::sim
