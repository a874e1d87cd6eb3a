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

// Recorded with the simulator of 2026-12-07 (the regrouped sim/ gave the same hashes as the layout before it).
constexpr GoldenRun golden_runs[] = {
    {"scenarios/cache_pressure.json", 1, 0xb60b05ba22d370a6, 25543},
    {"scenarios/cache_pressure.json", 2, 0x8c31d54b4b970771, 24856},
    {"scenarios/canonical_outage.json", 1, 0x7e02d699b0588cc0, 13505},
    {"scenarios/canonical_outage.json", 2, 0xc2c79d95eabf8d20, 13753},
    {"scenarios/flaky_network.json", 1, 0xb9dcf26b7788798a, 15222},
    {"scenarios/flaky_network.json", 2, 0xfbebdd08c22fa106, 15380},
    {"scenarios/forged_peer.json", 1, 0x16e7732846758a36, 16888},
    {"scenarios/forged_peer.json", 2, 0x32519fc00c464480, 17337},
    {"scenarios/leader_crash.json", 1, 0x7fd63edfdf363eef, 15791},
    {"scenarios/leader_crash.json", 2, 0x3537f69118b10ea5, 16312},
    {"scenarios/partition_heal.json", 1, 0x6b7cfd4a395ad102, 14214},
    {"scenarios/partition_heal.json", 2, 0x6fa7b83fbac0e14b, 14173},
    {"scenarios/paused_leader.json", 1, 0xcb2c595e559a8ede, 14713},
    {"scenarios/paused_leader.json", 2, 0x9bb45923a6a48b4a, 14637},
    {"scenarios/rolling_restart.json", 1, 0x93d130ad90c9f1c8, 14331},
    {"scenarios/rolling_restart.json", 2, 0x37aef509de377c7b, 14371},
    {"scenarios/thundering_herd.json", 1, 0x6d5a66d89bee7c13, 18656},
    {"scenarios/thundering_herd.json", 2, 0xe8412c5a820c88b4, 18314},
    {"scenarios/classic/leader_crash.json", 1, 0x54299236a3120c33, 12152},
    {"scenarios/classic/leader_crash.json", 2, 0x826ec933597acfbc, 12630},
    {"scenarios/classic/partition_heal.json", 1, 0x813e94270d13119e, 11330},
    {"scenarios/classic/partition_heal.json", 2, 0x9b77406c792c4f10, 11302},
    {"scenarios/regressions/classic_images_never_replicated_after_leader_crash.json", 2, 0x9e49ea0ed4cd8d71, 57},
    {"scenarios/regressions/classic_two_leaders_after_partition_heal.json", 18, 0x2cb3af462191f70c, 13},
    {"scenarios/regressions/classic_two_leaders_after_partition_heal.json", 2, 0x46556e28b9650d7a, 13},
    {"scenarios/regressions/leader_pulls_from_crashed_follower.json", 2338, 0x3f01e4ffc794a86e, 9188},
    {"scenarios/regressions/leader_pulls_from_crashed_follower.json", 2, 0xa4457fb5fcb0df1a, 9937},
    {"scenarios/regressions/new_leader_pulls_from_crashed_leader.json", 956, 0x254c564fd377e036, 2319},
    {"scenarios/regressions/new_leader_pulls_from_crashed_leader.json", 2, 0x76fc4d7465562873, 2102},
    {"scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json", 157614782, 0xe0ee7ce79a92c059, 1289},
    {"scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json", 2, 0x760b9e892162e96b, 1277},
    {"scenarios/regressions/stale_pull_source_after_leader_crash.json", 1, 0x11cc36283fb5f107, 7158},
    {"scenarios/regressions/stale_pull_source_after_leader_crash.json", 2, 0x1d2fd665713901ac, 6899},
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
