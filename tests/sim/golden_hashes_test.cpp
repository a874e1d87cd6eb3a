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
    {"scenarios/cache_pressure.json", 1, 0x79185b027756569d, 25564},
    {"scenarios/cache_pressure.json", 2, 0xdae40078799392e8, 24708},
    {"scenarios/canonical_outage.json", 1, 0x7f79fceea305bc3b, 14732},
    {"scenarios/canonical_outage.json", 2, 0x462c367cb08aee98, 14987},
    {"scenarios/disk_faults.json", 1, 0xb7ece8202c2ab505, 19085},
    {"scenarios/disk_faults.json", 2, 0xd6cf7d7c9f023c66, 19424},
    {"scenarios/flaky_network.json", 1, 0xc5ce164212d33252, 15766},
    {"scenarios/flaky_network.json", 2, 0x35906007144b502f, 16009},
    {"scenarios/forged_peer.json", 1, 0x071d0f8d849b773e, 17251},
    {"scenarios/forged_peer.json", 2, 0x4748cb11cc0c26ec, 17765},
    {"scenarios/held_partition.json", 1, 0x1162818baffc586c, 14421},
    {"scenarios/held_partition.json", 2, 0x2c3dda4f34f5dbb0, 14452},
    {"scenarios/leader_crash.json", 1, 0x1cfa3a12e100008e, 14960},
    {"scenarios/leader_crash.json", 2, 0x2bd5ca910387bfe6, 15571},
    {"scenarios/partition_heal.json", 1, 0x2822b575a53aa1d4, 14176},
    {"scenarios/partition_heal.json", 2, 0x7f02a57698346860, 14208},
    {"scenarios/paused_leader.json", 1, 0x4b9383cadaf3baeb, 14315},
    {"scenarios/paused_leader.json", 2, 0xfa9e7b1908bef653, 14367},
    {"scenarios/rolling_restart.json", 1, 0xa06108780aa1186a, 14733},
    {"scenarios/rolling_restart.json", 2, 0x3ca0b951b8a40fdb, 14828},
    {"scenarios/slow_edge.json", 1, 0x529f24a2639c35ce, 16690},
    {"scenarios/slow_edge.json", 2, 0x26b44c74c592c106, 17021},
    {"scenarios/thundering_herd.json", 1, 0x5a71eb056aafa5a1, 18656},
    {"scenarios/thundering_herd.json", 2, 0x16a2d410dca5dd34, 18314},
    {"scenarios/classic/leader_crash.json", 1, 0xee46b1e724238cbc, 12152},
    {"scenarios/classic/leader_crash.json", 2, 0xe6873641d0d74f86, 12630},
    {"scenarios/classic/partition_heal.json", 1, 0x0d70cd57c1d2508a, 11330},
    {"scenarios/classic/partition_heal.json", 2, 0x25495d53e6b4d7f7, 11302},
    {"scenarios/regressions/classic_images_never_replicated_after_leader_crash.json", 2, 0x6eafcaa0c2dffc99, 57},
    {"scenarios/regressions/classic_two_leaders_after_partition_heal.json", 18, 0x03d790fb5d220302, 13},
    {"scenarios/regressions/classic_two_leaders_after_partition_heal.json", 2, 0xf6498106443e65ff, 13},
    {"scenarios/regressions/leader_pulls_from_crashed_follower.json", 2338, 0x4202e17a6fb618af, 9576},
    {"scenarios/regressions/leader_pulls_from_crashed_follower.json", 2, 0xa76df894b2ebeb68, 9882},
    {"scenarios/regressions/new_leader_pulls_from_crashed_leader.json", 956, 0x1bee78fbfaaf13f0, 2051},
    {"scenarios/regressions/new_leader_pulls_from_crashed_leader.json", 2, 0xc3b1f22e7cc1035b, 1860},
    {"scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json", 157614782, 0xc425fa21150bcbf0, 1219},
    {"scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json", 2, 0xc9462ace688cf32c, 1203},
    {"scenarios/regressions/stale_pull_source_after_leader_crash.json", 1, 0x137b7e37618edca3, 6933},
    {"scenarios/regressions/stale_pull_source_after_leader_crash.json", 2, 0xd61db9b57bab79d9, 6707},
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
