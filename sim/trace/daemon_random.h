#pragma once
// The random stream of a real daemon's node: net/'s RealEnv feeds its node from this stream, seeded with the
// random_seed its trace records, and a replay that seeds it the same draws the same numbers. It lives in a
// file of its own because the simulator proper draws only from its seeded streams (sim/world/random.h) and
// the tidy test holds it to that; this file is the one exemption.

#include <cstdint>
#include <memory>

namespace edgecache::sim {

class DaemonRandom {
 public:
  explicit DaemonRandom(std::uint64_t seed);
  ~DaemonRandom();
  DaemonRandom(const DaemonRandom&) = delete;
  DaemonRandom& operator=(const DaemonRandom&) = delete;

  // Returns the next 64 bits of the stream, as RealEnv::random_u64 does.
  std::uint64_t next_u64();

 private:
  struct Engine;
  std::unique_ptr<Engine> engine_;
};

}  // namespace edgecache::sim
