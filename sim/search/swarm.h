#pragma once
// Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): instead of one fault mix for every run, each
// seed draws its own from a stream of its own (StreamTag::swarm), so some runs see only crashes, others only
// partitions and clock jumps, and the rare combinations that hide behind a busy default mix get exercised.
// `sim sweep --swarm` runs the drawn scenario of every seed of its range.

#include <cstdint>

#include "sim/scenario.h"

namespace edgecache::sim {

// Returns the scenario a swarm sweep runs for `seed`: `base` with the seed set and a nemesis whose fault mix
// is drawn from the seed's swarm stream alone, active over the workload's span (or the whole run if there is
// no workload). Each fault kind is off with probability 1/2, otherwise fires with a probability uniform in
// (0, 0.3] at each draw; draws are a second apart and faults last 0.5 to 4 seconds. The expectations are
// dropped: they describe the scripted run, which random faults legitimately change (a success ratio, who
// leads after a scripted "crash leader"); the checkers remain the judge.
Scenario swarm_scenario(const Scenario& base, std::uint64_t seed);

}  // namespace edgecache::sim
