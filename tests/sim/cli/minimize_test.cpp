// `sim minimize`, tested through the built `sim` binary as a user runs it. The subject is a small classic
// cluster whose leader crashes: the original protocol never elects again and never reconciles, so the run
// fails, and scripted noise around the crash (a clock jump, a slow network spell, a brief one-way cut) gives
// the minimizer faults to throw away. The input's own run, in this process, says which checker fails first;
// the minimized file must fail that same checker first, with fewer faults, and on its own. A run whose faults
// all came from the random nemesis must come back as an explicit timeline with the nemesis off. A passing run
// and malformed flags are refused with their exit statuses. Each case works in a directory of its own, since
// ctest runs test cases in parallel processes.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/scenario.h"
#include "tests/sim/checkers/checker_test_support.h"
#include "tests/sim/scenario_support.h"
#include "tests/sim/sim_command_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::ScratchDirectory;
using testing::run_sim;
using testing::violations_text;
using testing::first_checker;
using testing::load;
using testing::write_scenario;

Fault fault_at(std::int64_t at_ms, FaultKind kind, std::string node = "") {
  Fault fault;
  fault.at_ms = at_ms;
  fault.kind = kind;
  fault.node = std::move(node);
  return fault;
}

// Three classic edges, one client, a three-second workload: each run takes milliseconds.
Scenario small_classic_scenario() {
  Scenario scenario;
  scenario.name = "minimize_test";
  scenario.protocol = Protocol::classic;
  scenario.duration_ms = 3000;
  scenario.cluster.edges = 3;
  scenario.cluster.clients = 1;
  scenario.catalog.images = 100;
  scenario.catalog.median_size_bytes = 4096;
  scenario.catalog.max_size_bytes = 16384;
  scenario.workload.rate_per_s = 100;
  scenario.workload.stop_ms = 3000;
  scenario.checks.quiet_period_ms = 2000;
  return scenario;
}

// The leader crash that breaks the classic protocol, amid faults that do not matter to it.
Scenario leader_crash_amid_noise() {
  Scenario scenario = small_classic_scenario();
  Fault clock = fault_at(300, FaultKind::clock, "edge-1");
  clock.offset_ms = 20;
  clock.drift_ppm = 100;
  Fault slow = fault_at(400, FaultKind::degrade);
  slow.link = scenario.network;
  slow.link.latency_ms_mean = 3.0;
  Fault cut = fault_at(2500, FaultKind::cut);
  cut.from = "edge-1";
  cut.to = "edge-2";
  scenario.faults = {clock, slow, fault_at(700, FaultKind::restore), fault_at(1000, FaultKind::crash, "leader"),
                     cut, fault_at(2600, FaultKind::heal)};
  return scenario;
}


}  // namespace

TEST_CASE("minimize: a failing scenario shrinks to fewer faults that fail the same checker", "[sim][minimize]") {
  ScratchDirectory scratch("minimize_test", "scripted");
  Scenario input = leader_crash_amid_noise();
  write_scenario(scratch.path() / "input.json", input);
  RunReport input_run = run_scenario(input, {});
  std::optional<std::string> checker = first_checker(input_run);
  REQUIRE(checker);

  CommandResult result = run_sim(scratch.path(), "minimize input.json -o min.json");
  INFO(result.output);
  REQUIRE(result.status == 0);
  CHECK(result.output.find("first violated checker " + *checker) != std::string::npos);
  CHECK(result.output.find("before  6 faults") != std::string::npos);
  CHECK(result.output.find("wrote min.json") != std::string::npos);

  Scenario minimized = load(scratch.path() / "min.json");
  CHECK(minimized.faults.size() < input.faults.size());
  CHECK(minimized.cluster.edges <= input.cluster.edges);
  CHECK(minimized.workload.stop_ms <= input.workload.stop_ms);
  CHECK(minimized.seed == input.seed);
  RunReport minimized_run = run_scenario(minimized, {});
  INFO(violations_text(minimized_run));
  CHECK(first_checker(minimized_run) == checker);

  // The written file fails by itself through the ordinary run command, the same way every time.
  CommandResult rerun = run_sim(scratch.path(), "min.json --json --check-determinism", true);
  CHECK(rerun.status == 1);
  CHECK(nlohmann::json::parse(rerun.output)["determinism"]["deterministic"] == true);

  // Minimizing is deterministic too: a second minimization writes the same file.
  CommandResult again = run_sim(scratch.path(), "minimize input.json -o again.json");
  REQUIRE(again.status == 0);
  CHECK(load(scratch.path() / "again.json") == minimized);
}

TEST_CASE("minimize: the random nemesis's faults become an explicit timeline", "[sim][minimize]") {
  ScratchDirectory scratch("minimize_test", "nemesis");
  Scenario input = small_classic_scenario();
  input.nemesis.enabled = true;
  input.nemesis.start_ms = 500;
  input.nemesis.stop_ms = 2500;
  input.nemesis.interval_ms = 500;
  input.nemesis.fault_duration_ms = 700;
  input.nemesis.crash_probability = 0.6;
  input.nemesis.clock_probability = 0.5;
  input.nemesis.degrade_probability = 0.3;
  write_scenario(scratch.path() / "nemesis.json", input);
  RunReport input_run = run_scenario(input, {});
  std::optional<std::string> checker = first_checker(input_run);
  // A restarted classic edge rejoins with an empty cache that nothing refills, so crashes break this run.
  REQUIRE(checker);
  REQUIRE(!input_run.faults.empty());

  CommandResult result = run_sim(scratch.path(), "minimize nemesis.json --seed 1 -o min.json");
  INFO(result.output);
  REQUIRE(result.status == 0);
  CHECK(result.output.find("plus the random nemesis") != std::string::npos);
  CHECK(result.output.find("(the nemesis switched off) fails " + *checker) != std::string::npos);

  Scenario minimized = load(scratch.path() / "min.json");
  CHECK(!minimized.nemesis.enabled);
  CHECK(minimized.faults.size() <= input_run.faults.size());
  for (const Fault& fault : minimized.faults) CHECK(fault.node != "leader");
  CHECK(first_checker(run_scenario(minimized, {})) == checker);
}

TEST_CASE("minimize: a passing run has nothing to minimize", "[sim][minimize]") {
  ScratchDirectory scratch("minimize_test", "passing");
  Scenario healthy = small_classic_scenario();
  healthy.protocol = Protocol::standard;
  write_scenario(scratch.path() / "healthy.json", healthy);
  REQUIRE(run_scenario(healthy, {}).passed());

  CommandResult result = run_sim(scratch.path(), "minimize healthy.json -o min.json");
  INFO(result.output);
  CHECK(result.status == 1);
  CHECK(result.output.find("nothing to minimize: healthy.json with seed 1 passes every check") != std::string::npos);
  CHECK(!fs::exists(scratch.path() / "min.json"));
}

TEST_CASE("minimize: malformed input is refused with an error naming the flag", "[sim][minimize]") {
  ScratchDirectory scratch("minimize_test", "flags");
  write_scenario(scratch.path() / "input.json", small_classic_scenario());
  struct BadInput {
    std::string arguments;
    std::string error;
  };
  const BadInput cases[] = {
      {"input.json", "-o: missing"},
      {"input.json -o", "-o: missing value"},
      {"input.json -o min.json --seed x", "--seed: expected a non-negative integer"},
      {"input.json -o min.json --max-runs 0", "--max-runs: must be 1 to"},
      {"input.json -o min.json --fast", "--fast: unknown minimize option"},
      {"-o min.json", "no scenario given"},
      {"missing.json -o min.json", "missing.json: cannot read scenario file"},
  };
  for (const BadInput& bad : cases) {
    CommandResult result = run_sim(scratch.path(), "minimize " + bad.arguments);
    INFO(bad.arguments << "\n" << result.output);
    CHECK(result.status == 2);
    CHECK(result.output.find(bad.error) != std::string::npos);
  }
}
