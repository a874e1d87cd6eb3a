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
    {"scenarios/cache_pressure.json", 1, 0xc704c9adbecda8b5, 25564},
    {"scenarios/cache_pressure.json", 2, 0x0c38fb67685f560f, 24708},
    {"scenarios/canonical_outage.json", 1, 0x55e40dd51197ad8c, 14732},
    {"scenarios/canonical_outage.json", 2, 0xc9f05b6fe0370230, 14987},
    {"scenarios/flaky_network.json", 1, 0x9f2127419d187329, 15766},
    {"scenarios/flaky_network.json", 2, 0x9a9a51d66133a1b6, 16009},
    {"scenarios/forged_peer.json", 1, 0xecbc4f29389c90f6, 17251},
    {"scenarios/forged_peer.json", 2, 0xfb6881e7b3138e40, 17765},
    {"scenarios/leader_crash.json", 1, 0x4ae6a70435ff9823, 14960},
    {"scenarios/leader_crash.json", 2, 0x06638a6849624566, 15571},
    {"scenarios/partition_heal.json", 1, 0xae07d8884b67fd75, 14176},
    {"scenarios/partition_heal.json", 2, 0xb162d10b743c0f8b, 14208},
    {"scenarios/paused_leader.json", 1, 0x3b74590bf8cbd6d6, 14315},
    {"scenarios/paused_leader.json", 2, 0x85887541fc06f57e, 14367},
    {"scenarios/rolling_restart.json", 1, 0x567183771fa3c3a8, 14733},
    {"scenarios/rolling_restart.json", 2, 0x8c908b6cac28b8bb, 14828},
    {"scenarios/thundering_herd.json", 1, 0x6ad84068f9ffdab6, 18656},
    {"scenarios/thundering_herd.json", 2, 0x3803f4ed768ee17d, 18314},
    {"scenarios/classic/leader_crash.json", 1, 0x039c4da8a30871d5, 12152},
    {"scenarios/classic/leader_crash.json", 2, 0x80f197fafa711606, 12630},
    {"scenarios/classic/partition_heal.json", 1, 0xe81ddc9b9b9f051b, 11330},
    {"scenarios/classic/partition_heal.json", 2, 0xe03682acd9808d43, 11302},
    {"scenarios/regressions/classic_images_never_replicated_after_leader_crash.json", 2, 0xcda7f4fa84a5b426, 57},
    {"scenarios/regressions/classic_two_leaders_after_partition_heal.json", 18, 0x1ba09ab7cde0348f, 13},
    {"scenarios/regressions/classic_two_leaders_after_partition_heal.json", 2, 0x90bf4e165a439cb7, 13},
    {"scenarios/regressions/leader_pulls_from_crashed_follower.json", 2338, 0x0066a54b1eef4497, 9576},
    {"scenarios/regressions/leader_pulls_from_crashed_follower.json", 2, 0xdf7ed5ade1db7b38, 9882},
    {"scenarios/regressions/new_leader_pulls_from_crashed_leader.json", 956, 0x84043b4169e1814b, 2051},
    {"scenarios/regressions/new_leader_pulls_from_crashed_leader.json", 2, 0x21748584b9d68708, 1860},
    {"scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json", 157614782, 0xf9bf0adb281c20da, 1219},
    {"scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json", 2, 0xdc8cfedff7cdeb8b, 1203},
    {"scenarios/regressions/stale_pull_source_after_leader_crash.json", 1, 0x6ec3b5b04b6a02e3, 6933},
    {"scenarios/regressions/stale_pull_source_after_leader_crash.json", 2, 0xb2c6131005a686d6, 6707},
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
