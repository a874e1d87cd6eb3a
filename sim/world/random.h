#pragma once
// The simulator's only source of randomness. One seed is split into independent streams by tag, so adding a
// node or a link does not reshuffle any other component's draws.

#include <cstdint>

namespace edgecache::sim {

// xoshiro256** seeded through splitmix64. Fast, small, and the same on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1);

  // Returns a stream independent of this one's for (seed, tag_a, tag_b): the same inputs always give the
  // same stream, whatever else was drawn before.
  static Rng stream(std::uint64_t seed, std::uint64_t tag_a, std::uint64_t tag_b = 0);

  std::uint64_t next_u64();
  // Uniform in [0, bound). REQUIRES: bound > 0. Unbiased (rejection sampling).
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [0, 1).
  double unit();
  // True with probability p (p <= 0 never draws false positives; p >= 1 is always true).
  bool chance(double probability);
  // Standard normal draw.
  double normal();
  // Exponential draw with the given mean. REQUIRES: mean > 0.
  double exponential(double mean);

 private:
  std::uint64_t state_[4];
};

// Tags for Rng::stream, one per component kind, so streams never collide.
enum class StreamTag : std::uint64_t {
  host = 1,      // tag_b = node id
  link = 2,      // tag_b = (from << 32) | to
  workload = 3,
  nemesis = 4,
  // 5 was the synthetic catalog's, which now has a seed of its own (CatalogOptions::seed).
  swarm = 6,     // The fault mix `sim sweep --swarm` draws for each seed.
  release = 7,   // The order in which a shuffled release delivers held messages.
  disk = 8,      // Which file and which bit a disk_flip fault flips.
};

}  // namespace edgecache::sim
