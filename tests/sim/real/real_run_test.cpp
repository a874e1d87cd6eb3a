// `sim real`: the same scenario files run against real daemons (local processes on loopback), judged from
// their node traces, must reach the simulator's verdict. Each case runs a real cluster for the scenario's
// length (about 20 s), so the cases are tagged [real]; the suite runs them in parallel with the others.
//
// The recorded runs are then put through the other trace tools: every node replays without divergence,
// and from-trace turns the run into a scenario the simulator runs.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/sim/sim_command_support.h"

namespace edgecache::sim {
namespace {

using testing::run_sim;
using testing::ScratchDirectory;

const std::string source_dir = EDGECACHE_SOURCE_DIR;

// Runs `sim real SCENARIO --json` into `work` and returns the parsed report; fails the test if it is not one.
nlohmann::json real_run(const std::string& scenario, const ScratchDirectory& work) {
  const auto result = run_sim("", "real " + scenario + " --json --work-dir " + work.file("run"), true);
  INFO(result.output);
  REQUIRE((result.status == 0 || result.status == 1));
  nlohmann::json report = nlohmann::json::parse(result.output, nullptr, false);
  REQUIRE(report.is_object());
  return report;
}

std::string trace_arguments(const ScratchDirectory& work) {
  std::string arguments;
  for (const auto& entry : std::filesystem::directory_iterator(work.file("run") + "/traces")) {
    arguments += " " + entry.path().string();
  }
  return arguments;
}

void check_verdicts_agree(const nlohmann::json& report) {
  INFO(report.dump(2));
  CHECK(report["unsupported_faults"] == 0);
  CHECK(report["real"]["passed"] == report["sim"]["passed"]);
  CHECK(report["agree"] == true);
  // Every checker the simulator judged, the real run judged too, with the same verdict.
  std::map<std::string, std::string> sim_verdicts;
  for (const auto& check : report["sim"]["checks"]) sim_verdicts[check["checker"]] = check["verdict"];
  for (const auto& check : report["real"]["checks"]) {
    INFO(check.dump());
    CHECK(check["verdict"] == sim_verdicts[check["checker"]]);
  }
}

TEST_CASE("a real leader crash reaches the simulator's verdict, and its nodes replay", "[real]") {
  ScratchDirectory work("real_run", "leader_crash");
  const nlohmann::json report = real_run(source_dir + "/scenarios/leader_crash.json", work);
  check_verdicts_agree(report);
  CHECK(report["real"]["passed"] == true);
  CHECK(report["real"]["final_leader"] == "edge-2");
  CHECK(report["real"]["leader_changes"].get<int>() >= 1);

  SECTION("every recorded node replays without divergence") {
    const auto replay = run_sim("", "replay-node" + trace_arguments(work));
    INFO(replay.output);
    CHECK(replay.status == 0);
    CHECK(replay.output.find("edge-3") != std::string::npos);
    CHECK(replay.output.find("canonical") != std::string::npos);
  }
  SECTION("from-trace turns the run into a scenario the simulator runs") {
    const auto converted = run_sim("", "from-trace" + trace_arguments(work) + " -o " + work.file("seen.json"));
    INFO(converted.output);
    REQUIRE(converted.status == 0);
    const auto simulated = run_sim("", work.file("seen.json") + " --json", true);
    INFO(simulated.output);
    const nlohmann::json sim = nlohmann::json::parse(simulated.output, nullptr, false);
    REQUIRE(sim.is_object());
    CHECK(sim["passed"] == true);
    CHECK(sim["final_leader"] == "edge-2");
    CHECK(sim["requests"]["total"].get<int>() > 1000);
  }
}

TEST_CASE("a real canonical outage reaches the simulator's verdict", "[real]") {
  ScratchDirectory work("real_run", "canonical_outage");
  const nlohmann::json report = real_run(source_dir + "/scenarios/canonical_outage.json", work);
  check_verdicts_agree(report);
  CHECK(report["real"]["passed"] == true);
  // Requests for images nobody cached fail once the canonical is gone.
  CHECK(report["real"]["requests"]["get_image"]["unavailable"].get<int>() > 0);
}

TEST_CASE("a real paused leader reaches the simulator's verdict", "[real]") {
  ScratchDirectory work("real_run", "paused_leader");
  const nlohmann::json report = real_run(source_dir + "/scenarios/paused_leader.json", work);
  check_verdicts_agree(report);
  CHECK(report["real"]["passed"] == true);
  CHECK(report["real"]["final_leader"] == "edge-3");
}

TEST_CASE("a real partition that heals reaches the simulator's verdict", "[real]") {
  ScratchDirectory work("real_run", "partition_heal");
  const nlohmann::json report = real_run(source_dir + "/scenarios/partition_heal.json", work);
  INFO(report.dump(2));
  if (::geteuid() == 0) {
    // As root, every daemon gets a network namespace and the partition is iptables rules.
    CHECK(report["network"] == "local processes in network namespaces");
    check_verdicts_agree(report);
    CHECK(report["real"]["passed"] == true);
    CHECK(report["real"]["final_leader"] == "edge-3");
  } else {
    // Without root everything shares loopback: the partition and heal are reported as not done.
    CHECK(report["network"] == "local processes on loopback");
    CHECK(report["unsupported_faults"] == 2);
    CHECK(report["agree"] == false);
  }
}

TEST_CASE("a fault that cannot be done for real is reported, not skipped silently", "[real]") {
  ScratchDirectory work("real_run", "unsupported");
  const std::string scenario = work.file("clock.json");
  std::ofstream(scenario) << R"({
    "name": "clock_jump", "duration_ms": 2000,
    "cluster": { "edges": 2, "clients": 1 }, "catalog": { "images": 20 },
    "workload": { "rate_per_s": 20, "stop_ms": 1000 },
    "faults": [ { "at_ms": 500, "kind": "clock", "node": "edge-1", "offset_ms": 100 },
                { "at_ms": 800, "kind": "crash", "node": "edge-1" } ],
    "checks": { "quiet_period_ms": 500 }
  })";
  const nlohmann::json report = real_run(scenario, work);
  INFO(report.dump(2));
  CHECK(report["unsupported_faults"] == 1);
  CHECK(report["agree"] == false);
  REQUIRE(report["faults"].size() == 2);
  CHECK(report["faults"][0].get<std::string>().find("NOT DONE") != std::string::npos);
  CHECK(report["faults"][1].get<std::string>().find("kill -9") != std::string::npos);
  // The controller trace says so too, with the reason.
  std::ifstream controller(work.file("run") + "/traces/controller.jsonl");
  std::stringstream text;
  text << controller.rdbuf();
  CHECK(text.str().find("\"unsupported\"") != std::string::npos);
}

TEST_CASE("sim real rejects bad input with exit status 2", "[real]") {
  CHECK(run_sim("", "real").status == 2);
  CHECK(run_sim("", "real /nonexistent/scenario.json").status == 2);
  CHECK(run_sim("", "real " + source_dir + "/scenarios/leader_crash.json --base-port 80").status == 2);
  CHECK(run_sim("", "real " + source_dir + "/scenarios/leader_crash.json --bin-dir /nonexistent").status == 2);
  CHECK(run_sim("", "real " + source_dir + "/scenarios/leader_crash.json --network carrier-pigeon").status == 2);
}

}  // namespace
}  // namespace edgecache::sim
