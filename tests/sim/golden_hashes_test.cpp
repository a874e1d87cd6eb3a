// Golden trace hashes: every shipped and regression scenario, with its own seed and with seed 2, must give
// exactly the trace it gave when this table was recorded. A change to the simulator that moves events, draws
// randomness in another order or changes what a trace line says shows up here first. A change that is meant
// to alter traces updates this table in the same commit and says so; verdicts are judged elsewhere
// (scenarios_test.cpp, regressions_test.cpp), so the table pins the traces, not the outcomes.
//
// Method: load each file with the `sim` command's loader, run it untraced (the hash is computed either way)
// and compare the hash and the event count.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "tests/sim/scenario_support.h"

namespace edgecache::sim {
namespace {

struct GoldenRun {
  const char* path;  // Relative to the source directory.
  std::uint64_t seed;
  std::uint64_t trace_hash;
  std::uint64_t events;
};

// Recorded with the simulator of 2026-12-07, whose clients hedge and check edges' health passively.
constexpr GoldenRun golden_runs[] = {
    {"scenarios/cache_pressure.json", 1, 0x5cf8e9e7cadd28bf, 25564},
    {"scenarios/cache_pressure.json", 2, 0x5e53997ed3e12647, 24708},
    {"scenarios/canonical_outage.json", 1, 0x70c29f975a544896, 14732},
    {"scenarios/canonical_outage.json", 2, 0xa57f5df79b40153b, 14987},
    {"scenarios/flaky_network.json", 1, 0xecbbfa6a61f6d875, 15766},
    {"scenarios/flaky_network.json", 2, 0xf8567bd48c511031, 16009},
    {"scenarios/forged_peer.json", 1, 0x3481a2606924b600, 17251},
    {"scenarios/forged_peer.json", 2, 0xcb5d26f5a0a9bc2b, 17765},
    {"scenarios/leader_crash.json", 1, 0x371b3050c8f20e4b, 14960},
    {"scenarios/leader_crash.json", 2, 0xab0ec42e8826835a, 15571},
    {"scenarios/partition_heal.json", 1, 0x43032f3ba852ccab, 14176},
    {"scenarios/partition_heal.json", 2, 0x56e08748cea2d5f9, 14208},
    {"scenarios/paused_leader.json", 1, 0x69357e8d62d0a02b, 14315},
    {"scenarios/paused_leader.json", 2, 0x5babd7da28763153, 14367},
    {"scenarios/rolling_restart.json", 1, 0x725af32533c700d8, 14733},
    {"scenarios/rolling_restart.json", 2, 0xedf81be9ab52db3c, 14828},
    {"scenarios/slow_edge.json", 1, 0x04d8f08cd2abbe92, 16690},
    {"scenarios/slow_edge.json", 2, 0x1408d87b14ba846f, 17021},
    {"scenarios/thundering_herd.json", 1, 0x4de0bd1a33f5aaf3, 18656},
    {"scenarios/thundering_herd.json", 2, 0xe1ebf06d5e77b2e2, 18314},
    {"scenarios/classic/leader_crash.json", 1, 0x2db199ec76568ffb, 12152},
    {"scenarios/classic/leader_crash.json", 2, 0x59386099e49257cd, 12630},
    {"scenarios/classic/partition_heal.json", 1, 0xbfa8e583cab90f99, 11330},
    {"scenarios/classic/partition_heal.json", 2, 0x7a58aaa4673a18d3, 11302},
    {"scenarios/regressions/classic_images_never_replicated_after_leader_crash.json", 2, 0xacbbafb0d6f1fd07, 57},
    {"scenarios/regressions/classic_two_leaders_after_partition_heal.json", 18, 0x7e107f811d0ef6ed, 13},
    {"scenarios/regressions/classic_two_leaders_after_partition_heal.json", 2, 0xf21c57cb54f0f8d4, 13},
    {"scenarios/regressions/leader_pulls_from_crashed_follower.json", 2338, 0x994dbe65f0abd128, 9576},
    {"scenarios/regressions/leader_pulls_from_crashed_follower.json", 2, 0x146000c4cf58069f, 9882},
    {"scenarios/regressions/new_leader_pulls_from_crashed_leader.json", 956, 0x969c1510917586af, 2051},
    {"scenarios/regressions/new_leader_pulls_from_crashed_leader.json", 2, 0x4a5953f073644709, 1860},
    {"scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json", 157614782, 0x33b7a98249749490, 1219},
    {"scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json", 2, 0x660a1699aee1c951, 1203},
    {"scenarios/regressions/stale_pull_source_after_leader_crash.json", 1, 0xb7e839469a11f566, 6933},
    {"scenarios/regressions/stale_pull_source_after_leader_crash.json", 2, 0xdc2c15e86955cf3a, 6707},
};

TEST_CASE("every shipped and regression scenario gives its recorded trace hash", "[trace][golden]") {
  for (const GoldenRun& golden : golden_runs) {
    Scenario scenario = testing::load(std::string(EDGECACHE_SOURCE_DIR) + "/" + golden.path);
    RunOptions options;
    options.seed = golden.seed;
    const RunReport report = run_scenario(scenario, options);
    INFO(golden.path << " --seed " << golden.seed << ": trace hash " << std::hex << report.trace_hash << std::dec
                     << ", " << report.events << " events");
    CHECK(report.trace_hash == golden.trace_hash);
    CHECK(report.events == golden.events);
  }
}

TEST_CASE("the golden table covers every scenario file", "[trace][golden]") {
  // A new scenario or regression without a row would go unpinned; the table names each file once per seed.
  std::set<std::string> listed;
  for (const GoldenRun& golden : golden_runs) listed.insert(golden.path);
  std::set<std::string> on_disk;
  const std::filesystem::path root(EDGECACHE_SOURCE_DIR);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / "scenarios")) {
    if (entry.path().extension() == ".json") on_disk.insert(std::filesystem::relative(entry.path(), root).generic_string());
  }
  CHECK(listed == on_disk);
}

}  // namespace
}  // namespace edgecache::sim
