#include "sim/trace/daemon_random.h"

#include <random>

namespace edgecache::sim {

struct DaemonRandom::Engine {
  std::mt19937_64 engine;
};

DaemonRandom::DaemonRandom(std::uint64_t seed) : engine_(std::make_unique<Engine>(Engine{std::mt19937_64(seed)})) {}

DaemonRandom::~DaemonRandom() = default;

std::uint64_t DaemonRandom::next_u64() { return engine_->engine(); }

}  // namespace edgecache::sim
