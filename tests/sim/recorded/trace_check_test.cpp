// `sim check` over node traces (sim/recorded/trace_check.h), through the built binary as a user runs it. Method:
// RecordedCluster records real core nodes as daemons would; the traces of a healthy run must pass every
// checker; two edges that never hear each other must both lead and make single_leader fire, unless the
// fault controller's trace says they were partitioned; a crash and restart (two incarnations of one node)
// must pass; an edited output line fails as a replay divergence; the scenario's expectations are judged.

#include <catch2/catch.hpp>

#include "tests/sim/recorded_runs.h"

using namespace edgecache;
using namespace edgecache::sim;
using namespace edgecache::sim::testing;

namespace {

std::string controller_trace(const std::vector<std::string>& fault_lines) {
  std::string text = nlohmann::ordered_json{{"format", "edgecache-trace"}, {"version", 2},          {"source", "node"},
                                            {"node", "controller"},        {"role", "controller"}, {"wall_us", recorded_cluster_wall_start_us}}
                         .dump() +
                     "\n";
  for (const std::string& line : fault_lines) text += line + "\n";
  return text;
}

// Edges 1 and 2 that cannot hear each other from the start, so each elects itself.
RecordedCluster split_pair() {
  RecordedCluster cluster({1, 2}, 3, {{0, 1000}});
  cluster.block(1, 2);
  cluster.start();
  cluster.run_until(6'000'000);
  cluster.shut_down();
  return cluster;
}

}  // namespace

TEST_CASE("sim check: a healthy recorded run holds every check", "[sim][trace_check][cli]") {
  ScratchDirectory directory("trace_check_test", "healthy");
  RecordedCluster cluster = healthy_cluster();
  play_healthy_run(cluster, 8'000'000);
  std::vector<std::string> paths = write_traces(cluster, directory, {1, 2, 3, 4});

  CommandResult result = run_sim("", "check" + quoted_paths(paths));
  INFO(result.output);
  CHECK(result.status == 0);
  CHECK_THAT(result.output, Catch::Contains("requests  get_image: ok 20 "));
  CHECK_THAT(result.output, Catch::Contains("final leader edge-3"));
  for (const char* checker : {"single_leader held", "leader_liveness held", "answered_once held", "served_bytes held",
                              "cache_budget held", "single_origin_fetch held", "replication_complete held"}) {
    CHECK_THAT(result.output, Catch::Contains(checker));
  }
  CHECK_THAT(result.output, Catch::Contains("verdict   PASS"));

  CommandResult json = run_sim("", "check" + quoted_paths(paths) + " --json", true);
  INFO(json.output);
  nlohmann::json report = nlohmann::json::parse(json.output);
  CHECK(report["passed"] == true);
  CHECK(report["final_leader"] == "edge-3");
  CHECK(report["merge"]["sends_missing"] == 0);
}

TEST_CASE("sim check: two leaders that can reach each other make single_leader fire", "[sim][trace_check][cli]") {
  ScratchDirectory directory("trace_check_test", "two_leaders");
  RecordedCluster cluster = split_pair();
  std::vector<std::string> paths = write_traces(cluster, directory, {1, 2, 3});

  CommandResult result = run_sim("", "check" + quoted_paths(paths));
  INFO(result.output);
  CHECK(result.status == 1);
  CHECK_THAT(result.output, Catch::Contains("single_leader failed"));
  CHECK_THAT(result.output, Catch::Contains("[single_leader]") && Catch::Contains("edge-1 and edge-2 have both led"));
  CHECK_THAT(result.output, Catch::Contains("reproduce ./sim check"));

  SECTION("unless the controller's trace says it partitioned them") {
    const std::string controller = directory.file("controller.jsonl");
    write_file(controller, controller_trace({nlohmann::ordered_json{
                                                 {"t_us", 0}, {"wall_us", recorded_cluster_wall_start_us}, {"ev", "fault"},
                                                 {"node", ""}, {"fault", "partition"},
                                                 {"groups", {{"edge-1"}, {"edge-2", "canonical"}}}, {"real_action", "iptables"}}
                                                 .dump()}));
    paths.push_back(controller);
    CommandResult partitioned = run_sim("", "check" + quoted_paths(paths));
    INFO(partitioned.output);
    CHECK(partitioned.status == 0);
    CHECK_THAT(partitioned.output, Catch::Contains("faults    1 (partition 1)"));
  }
}

TEST_CASE("sim check: a crash and a restart are two incarnations of one node", "[sim][trace_check][cli]") {
  ScratchDirectory directory("trace_check_test", "restart");
  RecordedCluster cluster = healthy_cluster();
  cluster.start();
  play_requests(cluster);
  cluster.crash_at(1'500'000, 3);
  cluster.restart_at(2'500'000, 3);
  cluster.run_until(9'000'000);
  cluster.shut_down();
  std::vector<std::string> paths = write_traces(cluster, directory, {1, 2, 3, 4});
  REQUIRE(cluster.traces_of(3).size() == 2);

  CommandResult replayed = run_sim("", "replay-node" + quoted_paths(paths) + " --node edge-3");
  INFO(replayed.output);
  CHECK(replayed.status == 0);
  CHECK_THAT(replayed.output, Catch::Contains("without a summary line"));

  CommandResult result = run_sim("", "check" + quoted_paths(paths));
  INFO(result.output);
  CHECK(result.status == 0);
  CHECK_THAT(result.output, Catch::Contains("final leader edge-3"));
  CHECK_THAT(result.output, Catch::Contains("leader changes"));
}

TEST_CASE("sim check: an output the node would not make fails as a replay divergence", "[sim][trace_check][cli]") {
  ScratchDirectory directory("trace_check_test", "divergence");
  RecordedCluster cluster = healthy_cluster();
  play_healthy_run(cluster, 3'000'000);
  std::vector<std::string> paths = write_traces(cluster, directory, {1, 2, 3, 4});
  std::vector<std::string> lines = split_lines(cluster.traces_of(2).front());
  std::size_t index = 1;
  while (nlohmann::json::parse(lines[index]).value("ev", "") != "timer_set") ++index;
  nlohmann::ordered_json line = nlohmann::ordered_json::parse(lines[index]);
  line["delay_us"] = line["delay_us"].get<std::int64_t>() + 1;
  lines[index] = line.dump();
  write_file(directory.file("edge-2.jsonl"), join_lines(lines));

  CommandResult result = run_sim("", "check" + quoted_paths(paths));
  INFO(result.output);
  CHECK(result.status == 1);
  CHECK_THAT(result.output, Catch::Contains("[replay]") && Catch::Contains("edge-2.jsonl:" + std::to_string(index + 1)));
}

TEST_CASE("sim check: the scenario's expectations are judged from the traces", "[sim][trace_check][cli]") {
  ScratchDirectory directory("trace_check_test", "expect");
  RecordedCluster cluster = healthy_cluster();
  play_healthy_run(cluster, 8'000'000);
  std::vector<std::string> paths = write_traces(cluster, directory, {1, 2, 3, 4});
  const std::string scenario = directory.file("scenario.json");

  write_file(scenario, R"({"name":"recorded","expect":{"final_leader":"edge-3","min_success_ratio":1.0}})");
  CommandResult held = run_sim("", "check" + quoted_paths(paths) + " --scenario '" + scenario + "'");
  INFO(held.output);
  CHECK(held.status == 0);
  CHECK_THAT(held.output, Catch::StartsWith("scenario  recorded ("));

  write_file(scenario, R"({"name":"recorded","expect":{"final_leader":"edge-1","min_leader_changes":2}})");
  CommandResult failed = run_sim("", "check" + quoted_paths(paths) + " --scenario '" + scenario + "'");
  INFO(failed.output);
  CHECK(failed.status == 1);
  CHECK_THAT(failed.output, Catch::Contains("[expect]") && Catch::Contains("follows edge-3, expected final leader edge-1"));
  CHECK_THAT(failed.output, Catch::Contains("0 leader changes, expected at least 2"));
}

TEST_CASE("sim check: two load clients that both call themselves 0 are two clients", "[sim][trace_check][cli]") {
  // The real load client records node_id 0, as no daemon knows its id; a second one must not read as the
  // first one restarting (which would forget its requests and make answered_once fire).
  ScratchDirectory directory("trace_check_test", "two_clients");
  RecordedCluster cluster = healthy_cluster();
  play_healthy_run(cluster, 8'000'000);
  std::vector<std::string> paths = write_traces(cluster, directory, {1, 2, 3, 4});
  std::vector<std::string> lines = split_lines(cluster.client_trace());
  nlohmann::ordered_json header = nlohmann::ordered_json::parse(lines[0]);
  header["node_id"] = 0;
  lines[0] = header.dump();
  write_file(paths.back(), join_lines(lines));
  header["node"] = "client-2";
  lines[0] = header.dump();
  for (std::size_t i = 1; i < lines.size(); ++i) {
    nlohmann::ordered_json line = nlohmann::ordered_json::parse(lines[i]);
    if (line.contains("node")) line["node"] = "client-2";
    if (line.contains("wall_us")) line["wall_us"] = line["wall_us"].get<std::int64_t>() + 7;
    lines[i] = line.dump();
  }
  paths.push_back(directory.file("client-2.jsonl"));
  write_file(paths.back(), join_lines(lines));

  CommandResult result = run_sim("", "check" + quoted_paths(paths));
  INFO(result.output);
  CHECK(result.status == 0);
  CHECK_THAT(result.output, Catch::Contains("requests  get_image: ok 40 "));
}

TEST_CASE("sim check: bad input is exit status 2 with file and line", "[sim][trace_check][cli]") {
  ScratchDirectory directory("trace_check_test", "bad_input");
  const std::string garbage = directory.file("garbage.jsonl");
  write_file(garbage, "{\"format\":\"edgecache-trace\",\"version\":2,\"source\":\"node\",\"role\":\"edge\"}\n");
  CommandResult result = run_sim("", "check '" + garbage + "'");
  CHECK(result.status == 2);
  CHECK_THAT(result.output, Catch::Contains(garbage + ":1: header: missing \"wall_us\""));
  CHECK(run_sim("", "check").status == 2);
}
