// The minimizer (sim/search/minimizer.h), called as a library, without the `sim` binary. Two kinds of runner
// drive it. A scripted runner judges a candidate by its faults alone, without simulating: it fails a made-up
// checker exactly when two particular faults are both present, so the one right answer is known, and the
// bookkeeping around the stages (run counts, the run budget, the outcomes that refuse to minimize) can be
// checked exactly. The real simulator then minimizes the shipped classic leader crash amid unrelated faults,
// as `sim minimize` does, twice: the result fails the input's checker with fewer faults, the same both times.
// The shipped standard leader crash, which passes, is reported as nothing to minimize.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// scenario_support.h loads files with load_scenario_file(), which the commands header declares.
#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/scenario.h"
#include "sim/search/minimizer.h"
#include "tests/sim/scenario_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

using testing::first_checker;

// The shipped classic leader crash: the original protocol never elects again after its leader crashes, so
// the run fails.
Scenario classic_leader_crash() {
  return testing::load(std::filesystem::path(EDGECACHE_SOURCE_DIR) / "scenarios" / "classic" / "leader_crash.json");
}

// A fault that names no host (degrade, restore, cut, heal) at `at_ms`; host_fault() makes the others.
Fault fault_at(std::int64_t at_ms, FaultKind kind) {
  Fault fault;
  fault.at_ms = at_ms;
  fault.kind = kind;
  return fault;
}

// The two faults the scripted runner's failure needs, and six it does not.
const Fault needed_clock = [] {
  Fault clock = host_fault(300, FaultKind::clock, "edge-3");
  clock.offset_ms = 20;
  clock.drift_ppm = 100;
  return clock;
}();
const Fault needed_crash = host_fault(1000, FaultKind::crash, "edge-3");

Scenario scripted_input() {
  Scenario scenario = classic_leader_crash();
  Fault slow = fault_at(400, FaultKind::degrade);
  slow.link = scenario.network;
  slow.link.latency_ms_mean = 3.0;
  scenario.faults = {needed_clock,
                     slow,
                     fault_at(700, FaultKind::restore),
                     needed_crash,
                     host_fault(1500, FaultKind::pause, "edge-1"),
                     host_fault(1800, FaultKind::resume, "edge-1"),
                     host_fault(2200, FaultKind::isolate, "edge-2"),
                     fault_at(2600, FaultKind::heal)};
  return scenario;
}

bool contains(const std::vector<Fault>& faults, const Fault& wanted) {
  for (const Fault& fault : faults) {
    if (fault == wanted) return true;
  }
  return false;
}

// FNV-1a over the scenario's JSON text: a trace hash that depends on the candidate alone.
std::uint64_t text_hash(const Scenario& scenario) {
  std::uint64_t hash = 0xcbf29ce484222325;
  for (char c : scenario_to_json(scenario).dump()) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3;
  return hash;
}

// What the scripted runner saw and how it judges.
struct Script {
  // Fails "scripted_checker" when this returns true, and otherwise fails nothing.
  std::function<bool(const Scenario&)> fails = [](const Scenario& scenario) {
    return contains(scenario.faults, needed_clock) && contains(scenario.faults, needed_crash);
  };
  std::string checker = "scripted_checker";
  bool hash_changes_every_run = false;  // A simulator that does not reproduce its own runs.
  std::uint64_t runs = 0;
};

// A report as run_scenario() would give one, without simulating: the faults "executed" are the scenario's.
ScenarioRunner scripted_runner(Script& script) {
  return [&script](const Scenario& scenario) {
    ++script.runs;
    RunReport report;
    report.scenario_name = scenario.name;
    report.seed = scenario.seed;
    report.faults = scenario.faults;
    report.sim_time_us = ms_to_us(scenario.duration_ms);
    report.trace_hash = text_hash(scenario) + (script.hash_changes_every_run ? script.runs : 0);
    if (script.fails(scenario)) report.violations.push_back(Violation{script.checker, 1000, "", "scripted"});
    return report;
  };
}

// Records what the minimizer told its observer.
struct RecordingObserver final : MinimizeObserver {
  std::vector<std::string> failed_checkers;
  std::vector<std::size_t> confirmed_timelines;
  std::vector<ScenarioSize> rounds;
  void on_input_failed(const std::string& checker, const ScenarioSize&) override { failed_checkers.push_back(checker); }
  void on_timeline_confirmed(std::size_t faults) override { confirmed_timelines.push_back(faults); }
  void on_round(int round, const ScenarioSize& size, std::uint64_t) override {
    CHECK(round == static_cast<int>(rounds.size()) + 1);
    rounds.push_back(size);
  }
};

}  // namespace

TEST_CASE("minimizer: a scripted failure shrinks to exactly the faults it needs", "[sim][search][minimize]") {
  Script script;
  RecordingObserver observer;
  MinimizeResult result =
      minimize_failure(scripted_input(), MinimizeOptions{default_minimize_max_runs, scripted_runner(script), &observer});

  REQUIRE(result.outcome == MinimizeOutcome::minimized);
  CHECK(result.checker == "scripted_checker");
  CHECK(result.scenario.faults == std::vector<Fault>{needed_clock, needed_crash});
  CHECK(result.before.faults == 8);
  CHECK(result.after.faults == 2);
  CHECK_FALSE(result.budget_spent);
  // The failure ignores the workload, the duration and the clients, so each shrinks to its least; removing
  // any edge renames or drops edge-3, which the failure needs.
  CHECK(result.scenario.workload.stop_ms == result.scenario.workload.start_ms);
  CHECK(result.scenario.duration_ms == 1);
  CHECK(result.scenario.cluster.clients == 1);
  CHECK(result.scenario.cluster.edges == 3);
  CHECK(result.trace_hash == result.reproduced_trace_hash);
  CHECK(result.runs == script.runs);

  CHECK(observer.failed_checkers == std::vector<std::string>{"scripted_checker"});
  CHECK(observer.confirmed_timelines == std::vector<std::size_t>{8});
  REQUIRE(!observer.rounds.empty());
  CHECK(observer.rounds.back().faults == 2);
}

TEST_CASE("minimizer: the run budget stops shrinking and says so", "[sim][search][minimize]") {
  // One candidate run is spent verifying the explicit timeline, so nothing can be shrunk after it.
  Script script;
  MinimizeResult result = minimize_failure(scripted_input(), MinimizeOptions{1, scripted_runner(script), nullptr});
  REQUIRE(result.outcome == MinimizeOutcome::minimized);
  CHECK(result.budget_spent);
  CHECK(result.scenario.faults == scripted_input().faults);
  CHECK(result.runs == 3);  // The input's run, the timeline's and the final reproduction.
  CHECK(script.runs == 3);
}

TEST_CASE("minimizer: a failure the explicit timeline loses is reported, not minimized", "[sim][search][minimize]") {
  // The scripted failure needs the nemesis itself, which the explicit timeline switches off.
  Scenario input = scripted_input();
  input.nemesis.enabled = true;
  input.nemesis.stop_ms = 2000;
  Script script;
  script.fails = [](const Scenario& scenario) { return scenario.nemesis.enabled; };
  RecordingObserver observer;
  MinimizeResult result =
      minimize_failure(input, MinimizeOptions{default_minimize_max_runs, scripted_runner(script), &observer});
  CHECK(result.outcome == MinimizeOutcome::timeline_differs);
  CHECK(result.checker == "scripted_checker");
  CHECK(result.timeline_faults == 8);
  CHECK_FALSE(result.timeline_checker);
  CHECK(observer.failed_checkers.size() == 1);
  CHECK(observer.confirmed_timelines.empty());
  CHECK(observer.rounds.empty());
}

TEST_CASE("minimizer: a result that does not reproduce its own run is reported", "[sim][search][minimize]") {
  Script script;
  script.hash_changes_every_run = true;
  MinimizeResult result =
      minimize_failure(scripted_input(), MinimizeOptions{default_minimize_max_runs, scripted_runner(script), nullptr});
  CHECK(result.outcome == MinimizeOutcome::not_reproduced);
  CHECK(result.trace_hash != result.reproduced_trace_hash);
}

TEST_CASE("minimizer: a real failure shrinks to fewer faults failing the same checker, the same way twice",
          "[sim][search][minimize]") {
  // The scripted input's faults, but for its crash, are noise around the leader's crash for the minimizer
  // to throw away.
  Scenario input = classic_leader_crash();
  std::vector<Fault> faults = scripted_input().faults;
  std::erase(faults, needed_crash);
  faults.insert(faults.end(), input.faults.begin(), input.faults.end());
  input.faults = std::move(faults);
  REQUIRE(input.faults.size() == 8);
  std::optional<std::string> checker = first_checker(run_scenario(input, {}));
  REQUIRE(checker);

  MinimizeResult first = minimize_failure(input);
  REQUIRE(first.outcome == MinimizeOutcome::minimized);
  CHECK(first.checker == *checker);
  CHECK(first.scenario.faults.size() < input.faults.size());
  CHECK(first.scenario.seed == input.seed);
  CHECK(first_checker(run_scenario(first.scenario, {})) == checker);

  MinimizeResult second = minimize_failure(input);
  REQUIRE(second.outcome == MinimizeOutcome::minimized);
  CHECK(second.scenario == first.scenario);
  CHECK(second.trace_hash == first.trace_hash);
  CHECK(second.runs == first.runs);
}

TEST_CASE("minimizer: a passing run has nothing to minimize", "[sim][search][minimize]") {
  Scenario healthy = testing::load(std::filesystem::path(EDGECACHE_SOURCE_DIR) / "scenarios" / "leader_crash.json");
  RecordingObserver observer;
  MinimizeResult result = minimize_failure(healthy, MinimizeOptions{default_minimize_max_runs, {}, &observer});
  CHECK(result.outcome == MinimizeOutcome::input_passes);
  CHECK(result.checker.empty());
  CHECK(result.runs == 1);
  CHECK(observer.failed_checkers.empty());
}
