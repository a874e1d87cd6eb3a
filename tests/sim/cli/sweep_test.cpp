// `sim sweep`, tested through the built `sim` binary as a user runs it: a small seed range of a healthy
// scenario passes; a scenario that expects the wrong final leader fails on every seed, reported under the
// checker that fired with the command that reproduces each seed; the report does not depend on the number of
// threads; a swarm sweep writes each failing seed's drawn scenario, and running that file reproduces the
// failure; malformed flags are refused with an error naming the flag. Each case works in a directory of its
// own, since ctest runs test cases in parallel processes and a swarm sweep writes into the current directory.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/scenario.h"
#include "tests/sim/scenario_support.h"
#include "tests/sim/sim_command_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::ScratchDirectory;
using testing::run_sim;
using testing::load;
using testing::write_scenario;

// A scenario that takes a few milliseconds per seed.
Scenario quick_scenario() {
  Scenario scenario;
  scenario.name = "sweep_test";
  scenario.duration_ms = 2000;
  scenario.cluster.edges = 3;
  scenario.catalog.images = 40;
  scenario.catalog.median_size_bytes = 4096;
  scenario.catalog.max_size_bytes = 16384;
  scenario.workload.rate_per_s = 50;
  scenario.workload.stop_ms = 2000;
  scenario.checks.quiet_period_ms = 2000;
  return scenario;
}

}  // namespace

TEST_CASE("sweep: a healthy scenario passes every seed of a range", "[sim][sweep]") {
  ScratchDirectory scratch("sweep_test", "healthy");
  write_scenario(scratch.path() / "quick.json", quick_scenario());

  CommandResult json = run_sim(scratch.path(), "sweep quick.json --seeds 1..6 --jobs 2 --json", true);
  INFO(json.output);
  CHECK(json.status == 0);
  nlohmann::json report = nlohmann::json::parse(json.output);
  CHECK(report["scenario"] == "sweep_test");
  CHECK(report["seeds"] == nlohmann::json({{"from", 1}, {"to", 6}}));
  CHECK(report["runs"] == 6);
  CHECK(report["failures"].empty());
  CHECK(report["by_checker"].empty());
  CHECK(report["seeds_per_second"].get<double>() > 0);

  CommandResult text = run_sim(scratch.path(), "sweep quick.json --seeds 7..9 --jobs 3");
  INFO(text.output);
  CHECK(text.status == 0);
  CHECK(text.output.find("sweep: 3/3 seeds (100%), 0 failing") != std::string::npos);
  CHECK(text.output.find("seeds 7..9, 3 runs on 3 threads") != std::string::npos);
  CHECK(text.output.find("verdict   PASS") != std::string::npos);
}

TEST_CASE("sweep: failing seeds are grouped by checker, each with its reproduce command", "[sim][sweep]") {
  ScratchDirectory scratch("sweep_test", "failing");
  Scenario wrong = quick_scenario();
  wrong.expect.final_leader = "edge-1";  // edge-3, the highest, leads at the end of every healthy run.
  write_scenario(scratch.path() / "wrong_leader.json", wrong);

  CommandResult json = run_sim(scratch.path(), "sweep wrong_leader.json --seeds 3..6 --jobs 2 --json", true);
  INFO(json.output);
  CHECK(json.status == 1);
  nlohmann::json report = nlohmann::json::parse(json.output);
  CHECK(report["by_checker"] == nlohmann::json({{"expect", 4}}));
  REQUIRE(report["failures"].size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    const nlohmann::json& failure = report["failures"][i];
    std::uint64_t seed = 3 + i;  // Sorted by seed whatever order the threads finished in.
    CHECK(failure["seed"] == seed);
    CHECK(failure["checkers"] == nlohmann::json::array({"expect"}));
    CHECK(failure["reproduce"] == "./sim wrong_leader.json --seed " + std::to_string(seed));
    CHECK(failure["first_violation"]["detail"].get<std::string>().find("expected final leader edge-1") != std::string::npos);
  }

  CommandResult text = run_sim(scratch.path(), "sweep wrong_leader.json --seeds 3..6 --jobs 2");
  INFO(text.output);
  CHECK(text.status == 1);
  CHECK(text.output.find("FAIL: 4 of 4 seeds failed; by first violated checker:\n  expect: 4 seeds\n") != std::string::npos);
  for (int seed = 3; seed <= 6; ++seed) {
    CHECK(text.output.find("seed " + std::to_string(seed) + ": ./sim wrong_leader.json --seed " + std::to_string(seed)) !=
          std::string::npos);
  }
}

TEST_CASE("sweep: the report is the same whatever the number of threads", "[sim][sweep]") {
  // The classic protocol never hands leadership back to a restarted higher edge, so random faults make some
  // seeds fail and others pass: a mixed report is the one where a race between threads would show.
  ScratchDirectory scratch("sweep_test", "threads");
  Scenario classic = quick_scenario();
  classic.name = "classic_quick";
  classic.protocol = Protocol::classic;
  write_scenario(scratch.path() / "classic.json", classic);

  CommandResult one = run_sim(scratch.path(), "sweep classic.json --swarm --seeds 1..12 --jobs 1 --json", true);
  CommandResult three = run_sim(scratch.path(), "sweep classic.json --swarm --seeds 1..12 --jobs 3 --json", true);
  nlohmann::json one_report = nlohmann::json::parse(one.output);
  nlohmann::json three_report = nlohmann::json::parse(three.output);
  CHECK(one.status == three.status);
  CHECK(one_report["failures"] == three_report["failures"]);
  CHECK(one_report["by_checker"] == three_report["by_checker"]);
  CHECK(!one_report["failures"].empty());
  CHECK(one_report["failures"].size() < 12);
}

TEST_CASE("sweep --swarm: each failing seed's drawn scenario is written and reproduces the failure", "[sim][sweep]") {
  ScratchDirectory scratch("sweep_test", "swarm");
  Scenario classic = quick_scenario();
  classic.name = "classic_quick";
  classic.protocol = Protocol::classic;
  write_scenario(scratch.path() / "classic.json", classic);

  CommandResult json = run_sim(scratch.path(), "sweep classic.json --swarm --seeds 1..8 --jobs 2 --json", true);
  INFO(json.output);
  CHECK(json.status == 1);
  nlohmann::json report = nlohmann::json::parse(json.output);
  CHECK(report["swarm"] == true);
  REQUIRE(!report["failures"].empty());
  for (const nlohmann::json& failure : report["failures"]) {
    std::uint64_t seed = failure["seed"];
    std::string file = "sweep-failures/classic_quick-seed" + std::to_string(seed) + ".json";
    CHECK(failure["scenario_file"] == file);
    CHECK(failure["reproduce"] == "./sim " + file + " --seed " + std::to_string(seed));
    Scenario drawn = load(scratch.path() / file);
    CHECK(drawn.seed == seed);
    CHECK(drawn.nemesis.enabled);
    CHECK(drawn.nemesis.crash_probability == failure["nemesis"]["crash_probability"].get<double>());
    CHECK(drawn.nemesis.fault_duration_ms == failure["nemesis"]["fault_duration_ms"].get<std::int64_t>());
    CHECK(drawn.nemesis.fault_duration_ms >= 500);
    CHECK(drawn.nemesis.fault_duration_ms <= 4000);

    // The printed command, run as printed (with this build's binary for ./sim), fails the same way.
    CommandResult rerun = run_sim(scratch.path(), file + " --seed " + std::to_string(seed) + " --json", true);
    CHECK(rerun.status == 1);
    nlohmann::json rerun_report = nlohmann::json::parse(rerun.output);
    CHECK(rerun_report["violations"][0]["checker"] == failure["checkers"][0]);
  }

  // The swarm's draw depends on the seed alone: a second sweep draws the same nemesis.
  CommandResult again = run_sim(scratch.path(), "sweep classic.json --swarm --seeds 1..8 --jobs 1 --json", true);
  CHECK(nlohmann::json::parse(again.output)["failures"] == report["failures"]);

  CommandResult text = run_sim(scratch.path(), "sweep classic.json --swarm --seeds 1..8 --jobs 2");
  CHECK(text.output.find("swarm nemesis: crash ") != std::string::npos);
}

TEST_CASE("sweep: malformed flags are refused with an error naming the flag", "[sim][sweep]") {
  ScratchDirectory scratch("sweep_test", "flags");
  write_scenario(scratch.path() / "quick.json", quick_scenario());
  struct BadInput {
    std::string arguments;
    std::string error;
  };
  const BadInput cases[] = {
      {"--seeds 10..2", "--seeds: the range 10..2 is empty"},
      {"--seeds abc..3", "--seeds: expected a non-negative integer"},
      {"--seeds 1..x", "--seeds: expected a non-negative integer"},
      {"--seeds 7", "--seeds: expected a range FROM..TO"},
      {"--seeds 1..2 --jobs 0", "--jobs: must be 1 to 256, got 0"},
      {"--seeds 1..2 --jobs 257", "--jobs: must be 1 to 256, got 257"},
      {"--seeds 1..2 --jobs two", "--jobs: expected a non-negative integer"},
      {"--seeds 1..2 --jobs", "--jobs: missing value"},
      {"", "--seeds: missing"},
      {"--seeds 1..2 --fast", "--fast: unknown sweep option"},
  };
  for (const BadInput& bad : cases) {
    CommandResult result = run_sim(scratch.path(), "sweep quick.json " + bad.arguments);
    INFO(bad.arguments << "\n" << result.output);
    CHECK(result.status == 2);
    CHECK(result.output.find(bad.error) != std::string::npos);
  }
  CommandResult missing = run_sim(scratch.path(), "sweep missing.json --seeds 1..2");
  CHECK(missing.status == 2);
  CHECK(missing.output.find("missing.json: cannot read scenario file") != std::string::npos);
}
