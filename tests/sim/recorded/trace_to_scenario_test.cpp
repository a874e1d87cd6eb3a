// Turning a real run's node traces into a scenario (sim/recorded/trace_to_scenario.h, `sim from-trace`). Method: the
// edge and canonical traces come from RecordedCluster, which records real core nodes as the daemons do; the
// load client's and the fault controller's traces are written by hand with known submit times, image ids and
// fault times, so every inferred number can be compared with the one that made it. Each scenario made must
// load with parse_scenario and run in the simulator.

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <variant>

#include "sim/cluster.h"
#include "sim/trace/node_trace.h"
#include "sim/recorded/trace_to_scenario.h"
#include "sim/world/random.h"
#include "sim/zipf.h"
#include "tests/sim/recorded_runs.h"

using namespace edgecache;
using namespace edgecache::sim;
using namespace edgecache::sim::testing;

namespace {

struct Submit {
  std::int64_t at_us;  // After recorded_cluster_wall_start_us.
  std::string kind;
  ImageId image;
};

NodeTrace parsed(const std::string& text, const std::string& path) {
  auto result = parse_node_trace(text, path);
  if (auto* error = std::get_if<NodeTraceError>(&result)) FAIL(error->message());
  return std::get<NodeTrace>(result);
}

std::string client_trace(const std::vector<Submit>& submits) {
  std::string text = nlohmann::ordered_json{{"format", "edgecache-trace"}, {"version", 2},     {"source", "node"},
                                            {"node", "client-1"},          {"node_id", 900}, {"role", "client"},
                                            {"wall_us", recorded_cluster_wall_start_us}}
                         .dump() +
                     "\n";
  for (std::size_t i = 0; i < submits.size(); ++i) {
    const Submit& submit = submits[i];
    text += nlohmann::ordered_json{{"t_us", submit.at_us}, {"wall_us", recorded_cluster_wall_start_us + submit.at_us},
                                   {"ev", "submit"},       {"node", "client-1"},
                                   {"req", i + 1},         {"kind", submit.kind},
                                   {"image", submit.image}, {"deadline_us", submit.at_us + 3'000'000}}
                .dump() +
            "\n";
  }
  return text;
}

// A controller trace whose time 0 is `start_offset_us` after the cluster's; `faults` are (offset, fields).
std::string controller_trace(std::int64_t start_offset_us, const nlohmann::json& scenario,
                             const std::vector<std::pair<std::int64_t, nlohmann::json>>& faults) {
  nlohmann::ordered_json header{{"format", "edgecache-trace"}, {"version", 2},          {"source", "node"},
                                {"node", "controller"},        {"role", "controller"}, {"wall_us", recorded_cluster_wall_start_us + start_offset_us}};
  if (!scenario.is_null()) header["scenario"] = scenario;
  std::string text = header.dump() + "\n";
  for (const auto& [offset_us, fields] : faults) {
    nlohmann::json line{{"t_us", offset_us - start_offset_us}, {"wall_us", recorded_cluster_wall_start_us + offset_us},
                        {"ev", "fault"}, {"node", ""}};
    line.update(fields);
    text += line.dump() + "\n";
  }
  return text;
}

// Every trace of the cluster's nodes, incarnations in order, parsed.
std::vector<NodeTrace> traces_of(const RecordedCluster& cluster, const std::vector<NodeId>& nodes) {
  std::vector<NodeTrace> traces;
  for (NodeId id : nodes) {
    std::vector<std::string> texts = cluster.traces_of(id);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      traces.push_back(parsed(texts[i], cluster.name(id) + (i == 0 ? "" : "." + std::to_string(i + 1)) + ".jsonl"));
    }
  }
  return traces;
}

TraceScenario made_from(const std::vector<NodeTrace>& traces) {
  auto result = trace_to_scenario(traces);
  if (auto* error = std::get_if<TraceScenarioError>(&result)) FAIL(error->message);
  return std::get<TraceScenario>(result);
}

bool any_note_contains(const TraceScenario& made, const std::string& text) {
  for (const std::string& note : made.notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

// A quiet healthy run of edges 1..3 and the canonical for `end_us`.
RecordedCluster quiet_run(std::int64_t end_us) {
  RecordedCluster cluster = healthy_cluster();
  cluster.start();
  cluster.run_until(end_us);
  cluster.shut_down();
  return cluster;
}

// `draws` get_image submits every half millisecond, each for the image `draw` returns.
template <typename Draw>
std::vector<Submit> submits_drawn(std::size_t draws, Draw draw) {
  std::vector<Submit> submits;
  for (std::size_t i = 0; i < draws; ++i) {
    submits.push_back({static_cast<std::int64_t>(1000 + i * 500), "get_image", static_cast<ImageId>(draw())});
  }
  return submits;
}

}  // namespace

TEST_CASE("from-trace: edges, catalog and edge settings come from the daemons' headers", "[sim][from_trace]") {
  RecordedCluster cluster = healthy_cluster();
  cluster.edge_config().heartbeat_interval_ms = 50;
  cluster.edge_config().leader_timeout_ms = 300;
  cluster.cache_budget_bytes = 3 << 20;
  cluster.start();
  play_requests(cluster);
  cluster.run_until(3'000'000);
  cluster.shut_down();
  std::vector<NodeTrace> traces = traces_of(cluster, {1, 2, 3, 4});
  traces.push_back(parsed(cluster.client_trace(), "client-1.jsonl"));

  const TraceScenario made = made_from(traces);
  const Scenario& scenario = made.scenario;
  CHECK(scenario.cluster.edges == 3);
  CHECK(scenario.cluster.clients == 1);
  CHECK(scenario.cluster.cache_budget_bytes == 3 << 20);
  CHECK(scenario.cluster.edge.heartbeat_interval_ms == 50);
  CHECK(scenario.cluster.edge.leader_timeout_ms == 300);
  CHECK(scenario.cluster.edge.edges.empty());
  CHECK(scenario.protocol == Protocol::standard);
  CHECK_FALSE(scenario.cluster.restart_keeps_cache);
  // The recorded catalog is images of 2000, 5000 and 300 bytes.
  CHECK(scenario.catalog.images == 3);
  CHECK(scenario.catalog.min_size_bytes == 300);
  CHECK(scenario.catalog.median_size_bytes == 2000);
  CHECK(scenario.catalog.max_size_bytes == 5000);
  CHECK(made.time_zero_wall_us == recorded_cluster_wall_start_us);
  // Twenty requests, at 500 ms and then every 50 ms, all get_image over three images.
  CHECK(scenario.workload.start_ms == 500);
  CHECK(scenario.workload.stop_ms == 1451);
  CHECK(scenario.workload.max_requests == 20);
  CHECK(scenario.workload.get_size_fraction == 0.0);
  CHECK(scenario.workload.popularity == Popularity::uniform);
  CHECK(scenario.faults.empty());
  CHECK(scenario.duration_ms >= 3000);
  CHECK(scenario.seed == 1);
  CHECK(scenario.name == "from_trace_edge-1");
  CHECK_THAT(scenario.description, Catch::Contains("5 node traces") && Catch::Contains("2026-12-02 08:00:00 UTC"));
}

TEST_CASE("from-trace: the workload's window, rate and size fraction are the client's submits", "[sim][from_trace]") {
  std::vector<NodeTrace> traces = traces_of(quiet_run(4'000'000), {1, 2, 3, 4});
  // 200 submits every 10 ms from 1 s to 2.99 s; every fourth is a get_size.
  std::vector<Submit> submits;
  for (int i = 0; i < 200; ++i) {
    submits.push_back({1'000'000 + i * 10'000, i % 4 == 0 ? "get_size" : "get_image", static_cast<ImageId>(i % 3)});
  }
  traces.push_back(parsed(client_trace(submits), "client-1.jsonl"));

  const WorkloadOptions workload = made_from(traces).scenario.workload;
  CHECK(workload.start_ms == 1000);
  CHECK(workload.stop_ms == 2991);
  CHECK(workload.rate_per_s == Approx(200.0 / 1.991).epsilon(1e-4));
  CHECK(workload.get_size_fraction == Approx(0.25));
  CHECK(workload.max_requests == 200);
}

TEST_CASE("from-trace: a Zipf-skewed id sequence fits its exponent, a uniform one is uniform", "[sim][from_trace]") {
  std::vector<RecordedCluster::ImageSpec> images;
  for (ImageId id = 0; id < 100; ++id) images.push_back({id, 100});
  RecordedCluster cluster({1, 2, 3}, 4, images);
  cluster.start();
  cluster.run_until(1'000'000);
  cluster.shut_down();
  std::vector<NodeTrace> traces = traces_of(cluster, {1, 2, 3, 4});
  Rng rng(7);
  const ZipfSampler zipf(100, 1.1);
  traces.push_back(parsed(client_trace(submits_drawn(20000, [&] { return zipf.sample(rng) - 1; })), "client-1.jsonl"));
  const WorkloadOptions skewed = made_from(traces).scenario.workload;
  CHECK(skewed.popularity == Popularity::zipf);
  CHECK(skewed.zipf_s == Approx(1.1).margin(0.1));

  // Sorted counts of a uniform draw slope too; a sparse one (ten requests per image) fits s near 0.3, which
  // the dispersion test must still recognize as uniform.
  for (std::size_t draws : {1000, 5000}) {
    traces.back() = parsed(client_trace(submits_drawn(draws, [&] { return rng.below(100); })), "client-1.jsonl");
    CHECK(made_from(traces).scenario.workload.popularity == Popularity::uniform);
  }

  // Too few images seen twice to fit anything; an exact power law fits exactly.
  CHECK_FALSE(fit_zipf_exponent({9, 5, 3, 1, 1, 1}).has_value());
  CHECK(fit_zipf_exponent({3600, 900, 400, 225, 144}).value() == Approx(2.0));
}

TEST_CASE("from-trace: the controller's faults are placed at their time after its header, unsupported ones left out",
          "[sim][from_trace]") {
  std::vector<NodeTrace> traces = traces_of(quiet_run(10'000'000), {1, 2, 3, 4});
  Scenario planned;
  planned.name = "leader_crash";
  planned.seed = 42;
  planned.cluster.clients = 2;
  planned.network.latency_ms_mean = 3.0;
  planned.checks.quiet_period_ms = 7000;
  planned.expect.final_leader = "edge-2";
  planned.faults = {host_fault(5000, FaultKind::crash, "leader")};
  // Time 0 is 200 ms into the cluster's life; the crash came 5 s after it, the restart 8 s after it.
  traces.push_back(parsed(controller_trace(200'000, scenario_to_json(planned),
                                           {{5'200'000, {{"fault", "crash"}, {"node", "edge-3"}, {"real_action", "kill -9 4242"}}},
                                            {6'200'000, {{"fault", "partition"}, {"unsupported", "loopback cannot be cut"}}},
                                            {8'200'000, {{"fault", "restart"}, {"node", "edge-3"}, {"real_action", "started"}}}}),
                          "controller.jsonl"));

  const TraceScenario made = made_from(traces);
  const Scenario& scenario = made.scenario;
  CHECK(made.time_zero_wall_us == recorded_cluster_wall_start_us + 200'000);
  REQUIRE(scenario.faults.size() == 2);
  CHECK(scenario.faults[0] == host_fault(5000, FaultKind::crash, "edge-3"));
  CHECK(scenario.faults[1] == host_fault(8000, FaultKind::restart, "edge-3"));
  CHECK(any_note_contains(made, "controller.jsonl:3: fault partition was not done for real"));
  // What was not observed comes from the scenario the controller ran.
  CHECK(scenario.seed == 42);
  CHECK(scenario.network.latency_ms_mean == 3.0);
  CHECK(scenario.checks.quiet_period_ms == 7000);
  CHECK(scenario.expect.final_leader == std::optional<std::string>("edge-2"));
  CHECK_THAT(scenario.description, Catch::Contains("leader_crash"));
  // No client trace: the planned workload and clients stand.
  CHECK(scenario.workload == planned.workload);
  CHECK(scenario.cluster.clients == 2);
}

TEST_CASE("from-trace: without a controller, a trace without summary is a crash and a second incarnation a restart",
          "[sim][from_trace]") {
  RecordedCluster cluster = healthy_cluster();
  cluster.start();
  play_requests(cluster);
  cluster.crash_at(1'500'000, 3);
  cluster.restart_at(3'000'000, 3);
  cluster.run_until(6'000'000);
  cluster.shut_down();
  std::vector<NodeTrace> traces = traces_of(cluster, {1, 2, 3, 4});
  traces.push_back(parsed(cluster.client_trace(), "client-1.jsonl"));

  TraceScenario made = made_from(traces);
  REQUIRE(made.scenario.faults.size() == 2);
  const Fault& crash = made.scenario.faults[0];
  CHECK(crash.kind == FaultKind::crash);
  CHECK(crash.node == "edge-3");
  // Its last recorded event, a heartbeat at most 100 ms before the kill.
  CHECK(crash.at_ms >= 1300);
  CHECK(crash.at_ms <= 1500);
  CHECK(made.scenario.faults[1] == host_fault(3000, FaultKind::restart, "edge-3"));
  CHECK_FALSE(made.scenario.cluster.restart_keeps_cache);

  SECTION("the written scenario loads back the same and runs") {
    ScenarioResult loaded = parse_scenario(scenario_to_json(made.scenario).dump(2));
    REQUIRE_FALSE(loaded.error);
    CHECK(*loaded.scenario == made.scenario);
    RunReport report;
    REQUIRE_NOTHROW(report = run_scenario(*loaded.scenario, RunOptions{}));
    CHECK(report.faults.size() == 2);
    CHECK(report.total_requests() > 0);
  }
  SECTION("a trace given twice is one incarnation, not a crash and a restart") {
    traces.push_back(traces.front());
    const TraceScenario twice = made_from(traces);
    CHECK(twice.scenario.faults == made.scenario.faults);
    CHECK(any_note_contains(twice, "the same incarnation as edge-1.jsonl"));
  }
  SECTION("a restarted edge that preloaded its cache means restarts keep the cache") {
    NodeTrace& second = *std::find_if(traces.begin(), traces.end(), [](const NodeTrace& trace) { return trace.path == "edge-3.2.jsonl"; });
    second.header.preloaded.push_back(RecordedImage{0, 2000, 0xab});
    CHECK(made_from(traces).scenario.cluster.restart_keeps_cache);
  }
}

TEST_CASE("from-trace: edge ids that are not 1..N are renamed in ascending order, faults included", "[sim][from_trace]") {
  RecordedCluster cluster({2, 5, 7}, 9, {{0, 1000}, {1, 1500}});
  cluster.start();
  cluster.crash_at(2'000'000, 7);
  cluster.run_until(4'000'000);
  cluster.shut_down();
  const TraceScenario made = made_from(traces_of(cluster, {2, 5, 7, 9}));
  CHECK(made.scenario.cluster.edges == 3);
  CHECK(any_note_contains(made, "edge-7 (id 7) -> edge-3"));
  REQUIRE(made.scenario.faults.size() == 1);
  CHECK(made.scenario.faults[0].node == "edge-3");
  CHECK_FALSE(parse_scenario(scenario_to_json(made.scenario).dump()).error);
}

TEST_CASE("from-trace: traces without an edge are refused", "[sim][from_trace]") {
  auto result = trace_to_scenario({parsed(client_trace({{1000, "get_image", 1}}), "client-1.jsonl")});
  REQUIRE(std::holds_alternative<TraceScenarioError>(result));
  CHECK_THAT(std::get<TraceScenarioError>(result).message, Catch::Contains("no edge trace"));
}

TEST_CASE("sim from-trace: writes a scenario ./sim runs, and names the file of bad input", "[sim][from_trace][cli]") {
  ScratchDirectory directory("trace_to_scenario_test", "cli");
  RecordedCluster cluster = healthy_cluster();
  cluster.start();
  play_requests(cluster);
  cluster.crash_at(1'500'000, 3);
  cluster.run_until(4'000'000);
  cluster.shut_down();
  std::vector<std::string> paths = write_traces(cluster, directory, {1, 2, 3, 4});
  const std::string output = directory.file("seen.json");

  CommandResult made = run_sim("", "from-trace" + quoted_paths(paths) + " -o '" + output + "'");
  INFO(made.output);
  REQUIRE(made.status == 0);
  CHECK_THAT(made.output, Catch::Contains("3 edges") && Catch::Contains("crash edge-3"));
  std::ifstream file(output);
  std::stringstream text;
  text << file.rdbuf();
  CHECK_FALSE(parse_scenario(text.str()).error);
  CommandResult run = run_sim("", "'" + output + "'");
  INFO(run.output);
  CHECK((run.status == 0 || run.status == 1));

  CHECK(run_sim("", "from-trace" + quoted_paths(paths)).status == 2);
  write_file(directory.file("broken.jsonl"), "{\"format\":\"edgecache-trace\"\n");
  CommandResult broken = run_sim("", "from-trace" + quoted_paths(paths) + " '" + directory.file("broken.jsonl") + "' -o '" + output + "'");
  CHECK(broken.status == 2);
  CHECK_THAT(broken.output, Catch::Contains("broken.jsonl:1:"));
}
