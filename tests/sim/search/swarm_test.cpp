// Swarm drawing (sim/search/swarm.h), called as a library, without the `sim` binary. A seed's fault mix must
// be a pure function of that seed: the same seed draws the same scenario whatever the base's own seed, twenty
// seeds draw twenty different mixes, and every drawn scenario is one the scenario reader accepts back
// unchanged, within the bounds the swarm promises. One seed's mix is pinned, so that a change in the order of
// the draws (which would silently change what every recorded `sweep --swarm` failure reproduces) shows here.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "sim/cli/commands.h"
#include "sim/scenario.h"
#include "sim/search/swarm.h"
#include "tests/sim/scenario_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

// The shipped leader crash: a workload over part of the run, and expectations for the swarm to drop.
Scenario base_scenario() {
  return testing::load(std::filesystem::path(EDGECACHE_SOURCE_DIR) / "scenarios" / "leader_crash.json");
}

}  // namespace

TEST_CASE("swarm: the same seed draws the same scenario, whatever the base's own seed", "[sim][search][swarm]") {
  Scenario base = base_scenario();
  Scenario other_seed = base;
  other_seed.seed = 99;
  CHECK(swarm_scenario(base, 7) == swarm_scenario(base, 7));
  CHECK(swarm_scenario(other_seed, 7) == swarm_scenario(base, 7));
}

TEST_CASE("swarm: different seeds draw different fault mixes", "[sim][search][swarm]") {
  std::set<std::string> mixes;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    mixes.insert(scenario_to_json(swarm_scenario(base_scenario(), seed))["nemesis"].dump());
  }
  CHECK(mixes.size() == 20);
}

TEST_CASE("swarm: every drawn scenario is valid and within the swarm's bounds", "[sim][search][swarm]") {
  Scenario base = base_scenario();
  REQUIRE(base.expect != Expectations{});
  REQUIRE(base.workload.stop_ms < base.duration_ms);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Scenario drawn = swarm_scenario(base, seed);
    INFO("seed " << seed);
    ScenarioResult reread = parse_scenario(scenario_to_json(drawn).dump());
    REQUIRE(reread.scenario);
    CHECK(*reread.scenario == drawn);
    CHECK(drawn.seed == seed);
    CHECK(drawn.expect == Expectations{});
    const NemesisOptions& nemesis = drawn.nemesis;
    CHECK(nemesis.enabled);
    CHECK(nemesis.start_ms == base.workload.start_ms);
    CHECK(nemesis.stop_ms == base.workload.stop_ms);
    CHECK(nemesis.interval_ms == 1000);
    CHECK(nemesis.fault_duration_ms >= 500);
    CHECK(nemesis.fault_duration_ms <= 4000);
    for (double probability : {nemesis.crash_probability, nemesis.pause_probability, nemesis.partition_probability,
                               nemesis.isolate_probability, nemesis.cut_probability, nemesis.degrade_probability,
                               nemesis.clock_probability}) {
      CHECK(probability >= 0.0);
      CHECK(probability <= 0.3);
    }
    // Everything but the seed, the expectations and the nemesis is the base's.
    Scenario rest = drawn;
    rest.seed = base.seed;
    rest.expect = base.expect;
    rest.nemesis = base.nemesis;
    CHECK(rest == base);
  }
}

TEST_CASE("swarm: only a base with disks draws disk faults", "[sim][search][swarm][disk]") {
  Scenario with_disks = base_scenario();
  with_disks.cluster.disk = true;
  std::size_t drawn = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CHECK(swarm_scenario(base_scenario(), seed).nemesis.disk_probability == 0.0);
    const Scenario scenario = swarm_scenario(with_disks, seed);
    CHECK(scenario.nemesis.disk_probability <= 0.3);
    if (scenario.nemesis.disk_probability > 0) ++drawn;
    // The disk draw comes last, so every other kind's draw is the one a base without disks gets.
    NemesisOptions others = scenario.nemesis;
    others.disk_probability = 0.0;
    CHECK(others == swarm_scenario(base_scenario(), seed).nemesis);
    CHECK(parse_scenario(scenario_to_json(scenario).dump()).scenario == scenario);
  }
  CHECK(drawn > 0);
  CHECK(drawn < 20);
}

TEST_CASE("swarm: without a workload the nemesis spans the whole run", "[sim][search][swarm]") {
  Scenario base = base_scenario();
  base.workload.rate_per_s = 0;
  Scenario drawn = swarm_scenario(base, 3);
  CHECK(drawn.nemesis.start_ms == 0);
  CHECK(drawn.nemesis.stop_ms == base.duration_ms);
}

TEST_CASE("swarm: a seed's draw stays what it was recorded as", "[sim][search][swarm]") {
  // Recorded from `sim sweep --swarm`; the JSON writer prints each double so that it reads back exactly,
  // hence the exact comparisons. Each kind draws after those before it, so a new kind leaves these as
  // they were.
  const NemesisOptions nemesis = swarm_scenario(base_scenario(), 1).nemesis;
  INFO(scenario_to_json(swarm_scenario(base_scenario(), 1))["nemesis"].dump());
  CHECK(nemesis.fault_duration_ms == 1019);
  CHECK(nemesis.crash_probability == 0.0);
  CHECK(nemesis.pause_probability == 0.09127704981613304);
  CHECK(nemesis.partition_probability == 0.20449331866026813);
  CHECK(nemesis.isolate_probability == 0.0);
  CHECK(nemesis.cut_probability == 0.0);
  CHECK(nemesis.degrade_probability == 0.232393616288069);
  CHECK(nemesis.clock_probability == 0.0);
  CHECK(nemesis.slow_probability == 0.23996317017596436);
  CHECK(nemesis.hold_probability == 0.11555482203799762);
}
