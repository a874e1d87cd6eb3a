#include "sim/search/swarm.h"

#include "sim/world/random.h"

namespace edgecache::sim {

namespace {

// The bounds of a swarm draw, as swarm_scenario() describes them.
constexpr double swarm_kind_off_probability = 0.5;
constexpr double swarm_max_fault_probability = 0.3;
constexpr std::int64_t swarm_interval_ms = 1000;
constexpr std::int64_t swarm_min_fault_duration_ms = 500;
constexpr std::int64_t swarm_max_fault_duration_ms = 4000;

}  // namespace

Scenario swarm_scenario(const Scenario& base, std::uint64_t seed) {
  Scenario scenario = base;
  scenario.seed = seed;
  scenario.expect = Expectations{};
  Rng rng = Rng::stream(seed, static_cast<std::uint64_t>(StreamTag::swarm));
  NemesisOptions& nemesis = scenario.nemesis;
  nemesis.enabled = true;
  const WorkloadOptions& workload = base.workload;
  if (workload.rate_per_s > 0 && workload.stop_ms > workload.start_ms) {
    nemesis.start_ms = workload.start_ms;
    nemesis.stop_ms = workload.stop_ms;
  } else {
    nemesis.start_ms = 0;
    nemesis.stop_ms = base.duration_ms;
  }
  nemesis.interval_ms = swarm_interval_ms;
  nemesis.fault_duration_ms =
      swarm_min_fault_duration_ms +
      static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(swarm_max_fault_duration_ms - swarm_min_fault_duration_ms + 1)));
  // The kinds draw in NemesisOptions order, so a seed's mix never changes when the code around it does.
  auto draw = [&rng] {
    if (rng.chance(swarm_kind_off_probability)) return 0.0;
    return swarm_max_fault_probability * (1.0 - rng.unit());  // unit() is in [0, 1), so this is in (0, max].
  };
  nemesis.crash_probability = draw();
  nemesis.pause_probability = draw();
  nemesis.partition_probability = draw();
  nemesis.isolate_probability = draw();
  nemesis.cut_probability = draw();
  nemesis.degrade_probability = draw();
  nemesis.clock_probability = draw();
  nemesis.slow_probability = draw();
  nemesis.hold_probability = draw();
  // Only a base whose edges have disks can fault them; the draw comes last so no other kind's draw moves.
  if (base.cluster.disk) nemesis.disk_probability = draw();
  return scenario;
}

}  // namespace edgecache::sim
