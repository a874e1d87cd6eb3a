// The scenario format's disk fields (cluster.disk, the disk_* fault kinds, nemesis.disk_probability and the
// disk_degraded expectation): what they parse to, that they round-trip and are written only when used, the
// errors that name what is wrong with them, and the disk_degraded expectation judging a run both ways.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/cluster.h"
#include "sim/scenario.h"
#include "tests/sim/checkers/checker_test_support.h"

namespace edgecache::sim {
namespace {

constexpr const char* disk_document = R"({
  "cluster": { "edges": 3, "disk": true, "disk_write_latency_ms": 4 },
  "faults": [
    { "at_ms": 100, "kind": "disk_slow", "node": "edge-1", "factor": 50 },
    { "at_ms": 200, "kind": "disk_full", "node": "leader" },
    { "at_ms": 300, "kind": "disk_lose", "node": "edge-2" },
    { "at_ms": 400, "kind": "disk_tear", "node": "edge-3" },
    { "at_ms": 500, "kind": "disk_flip", "node": "edge-1" },
    { "at_ms": 600, "kind": "disk_repair", "node": "edge-1" }
  ],
  "nemesis": { "enabled": true, "start_ms": 0, "stop_ms": 1000, "disk_probability": 0.25 },
  "expect": { "disk_degraded": ["edge-3"] }
})";

Scenario parse_ok(const std::string& text) {
  const ScenarioResult result = parse_scenario(text);
  INFO((result.error ? result.error->message() : std::string()));
  REQUIRE(result.scenario);
  return *result.scenario;
}

TEST_CASE("scenario: the disk fields parse, round-trip, and are written only when used", "[sim][scenario][disk]") {
  const Scenario scenario = parse_ok(disk_document);
  CHECK(scenario.cluster.disk);
  CHECK(scenario.cluster.disk_write_latency_ms == 4);
  REQUIRE(scenario.faults.size() == 6);
  CHECK(scenario.faults[0].kind == FaultKind::disk_slow);
  CHECK(scenario.faults[0].factor == 50);
  CHECK(scenario.faults[1].node == "leader");
  CHECK(scenario.faults[5].kind == FaultKind::disk_repair);
  for (const Fault& fault : scenario.faults) CHECK(is_disk_fault(fault.kind));
  CHECK_FALSE(is_disk_fault(FaultKind::release));
  CHECK_FALSE(is_disk_fault(FaultKind::crash));
  CHECK(scenario.nemesis.disk_probability == 0.25);
  CHECK(scenario.expect.disk_degraded == std::vector<std::string>{"edge-3"});
  CHECK(parse_ok(scenario_to_json(scenario).dump()) == scenario);

  const nlohmann::json plain = scenario_to_json(Scenario{});
  CHECK_FALSE(plain.at("cluster").contains("disk"));
  CHECK_FALSE(plain.at("cluster").contains("disk_write_latency_ms"));
  CHECK_FALSE(plain.at("nemesis").contains("disk_probability"));
  CHECK_FALSE(plain.at("expect").contains("disk_degraded"));
  const nlohmann::json with_disk = scenario_to_json(scenario);
  CHECK(with_disk.at("cluster").at("disk") == true);
  CHECK(with_disk.at("nemesis").at("disk_probability") == 0.25);
}

TEST_CASE("scenario: disk fields out of place are errors naming the field", "[sim][scenario][disk]") {
  struct BadCase {
    std::string json;
    std::string path;
    std::string reason;
  };
  const std::vector<BadCase> cases = {
      {R"({"faults": [{"at_ms": 1, "kind": "disk_full", "node": "edge-1"}]})", "faults[0].kind",
       "disk_full needs cluster.disk: true (edges have no simulated disk)"},
      {R"({"cluster": {"disk": true}, "faults": [{"at_ms": 1, "kind": "disk_flip", "node": "canonical"}]})",
       "faults[0].node", "must name an edge or leader: only edges have a disk, got canonical"},
      {R"({"cluster": {"disk": true}, "faults": [{"at_ms": 1, "kind": "disk_slow", "node": "edge-1"}]})",
       "faults[0].factor", "missing; fault kind disk_slow needs how many times slower the disk writes"},
      {R"({"cluster": {"disk": true}, "faults": [{"at_ms": 1, "kind": "disk_tear", "node": "edge-1", "factor": 2}]})",
       "faults[0].factor", "not used by fault kind disk_tear"},
      {R"({"cluster": {"disk": true, "restart_keeps_cache": true}})", "cluster.disk",
       "cannot be combined with restart_keeps_cache (a perfect disk); choose one"},
      {R"({"cluster": {"disk": "yes"}})", "cluster.disk", "expected a boolean, got a string"},
      {R"({"cluster": {"disk": true, "disk_write_latency_ms": -1}})", "cluster.disk_write_latency_ms",
       "must be at least 0, got -1"},
      {R"({"nemesis": {"disk_probability": 0.5}})", "nemesis.disk_probability",
       "needs cluster.disk: true (edges have no simulated disk)"},
      {R"({"cluster": {"disk": true}, "nemesis": {"disk_probability": 1.5}})", "nemesis.disk_probability",
       "must be at most 1, got 1.5"},
      {R"({"expect": {"disk_degraded": ["edge-1"]}})", "expect.disk_degraded",
       "needs cluster.disk: true (edges have no simulated disk)"},
      {R"({"cluster": {"disk": true}, "expect": {"disk_degraded": ["edge-9"]}})", "expect.disk_degraded[0]",
       "edge-9 is not an edge of this cluster"},
      {R"({"cluster": {"disk": true}, "expect": {"disk_degraded": "edge-1"}})", "expect.disk_degraded",
       "expected an array of edge names, got a string"},
  };
  for (const BadCase& bad : cases) {
    const ScenarioResult result = parse_scenario(bad.json);
    INFO(bad.json);
    REQUIRE(result.error);
    CHECK(result.error->path == bad.path);
    CHECK(result.error->reason == bad.reason);
  }
}

TEST_CASE("the disk_degraded expectation fails when the disk never failed, and holds when it filled up",
          "[sim][scenario][disk]") {
  Scenario scenario = testing::small_scenario();
  scenario.cluster.disk = true;
  scenario.expect.disk_degraded = {"edge-2"};
  RunReport healthy = run_scenario(scenario, {});
  REQUIRE_FALSE(healthy.passed());
  CHECK(testing::violations_text(healthy).find("edge-2: its disk mirror never degraded") != std::string::npos);

  scenario.faults.push_back(host_fault(500, FaultKind::disk_full, "edge-2"));
  RunReport full = run_scenario(scenario, {});
  INFO(testing::violations_text(full));
  CHECK(full.passed());
  REQUIRE(full.disk);
  CHECK(full.disk->degraded_edges == std::vector<std::string>{"edge-2"});
  CHECK(full.disk->mirrors.write_failures > 0);
}

}  // namespace
}  // namespace edgecache::sim
