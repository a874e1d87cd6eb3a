// Tests for the scenario loader (sim/scenario.cpp).
//
// Method: the defaults are pinned field by field against the values docs/scenarios.md documents, so the
// code, the header and the documentation cannot drift apart silently. A complete hand-written document
// checks that every key lands in its field. Round-tripping is checked twice: on that document and, with
// rapidcheck, on random valid scenarios whose doubles use all 53 bits of mantissa, so the writer must print
// doubles exactly. Malformed input is a table of small documents, each paired with the exact path and reason
// the error must carry; the table covers every object of the format at every depth.
//
// tidy: long file: the complete document and the table of malformed ones cover the whole format.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "sim/scenario.h"

namespace edgecache::sim {
namespace {

Scenario parse_ok(const std::string& text) {
  const ScenarioResult result = parse_scenario(text);
  INFO(text);
  INFO((result.error ? result.error->message() : std::string()));
  REQUIRE_FALSE(result.error.has_value());
  REQUIRE(result.scenario.has_value());
  return *result.scenario;
}

ScenarioError parse_error(const std::string& text) {
  const ScenarioResult result = parse_scenario(text);
  INFO(text);
  REQUIRE_FALSE(result.scenario.has_value());
  REQUIRE(result.error.has_value());
  return *result.error;
}

TEST_CASE("An empty document yields every documented default", "[sim][scenario]") {
  const Scenario scenario = parse_ok("{}");
  CHECK(scenario == Scenario{});

  CHECK(scenario.name.empty());
  CHECK(scenario.description.empty());
  CHECK(scenario.seed == 1);
  CHECK(scenario.duration_ms == 20000);
  CHECK(scenario.protocol == Protocol::standard);

  const ClusterOptions& cluster = scenario.cluster;
  CHECK(cluster.edges == 3);
  CHECK(cluster.clients == 1);
  CHECK(cluster.cache_budget_bytes == 64ULL * 1024 * 1024);
  CHECK_FALSE(cluster.restart_keeps_cache);
  CHECK(cluster.edge.heartbeat_interval_ms == 100);
  CHECK(cluster.edge.leader_timeout_ms == 500);
  CHECK(cluster.edge.answer_timeout_ms == 200);
  CHECK(cluster.edge.coordinator_timeout_ms == 600);
  CHECK(cluster.edge.origin_timeout_ms == 1000);
  CHECK(cluster.edge.pull_timeout_ms == 1000);
  CHECK(cluster.edge.anti_entropy_interval_ms == 2000);
  CHECK(cluster.edge.max_waiters_per_image == 4096);
  CHECK(cluster.edge.max_origin_fetches == 1024);
  CHECK(cluster.edge.max_active_pulls == 8);
  CHECK(cluster.edge.max_queued_pulls == 4096);
  CHECK(cluster.edge.max_known_sizes == 100000);
  CHECK(cluster.edge.canonical == 0);
  CHECK(cluster.edge.edges.empty());
  CHECK(cluster.client.routing == RoutingMode::modulo);
  CHECK(cluster.client.attempt_timeout_ms == 500);
  CHECK(cluster.client.request_deadline_ms == 3000);
  CHECK(cluster.client.max_pending_requests == 10000);
  CHECK(cluster.client.failover);
  CHECK(cluster.client.edges.empty());

  CHECK(scenario.catalog.images == 1000);
  CHECK(scenario.catalog.seed == 1);
  CHECK(scenario.catalog.min_size_bytes == 1024);
  CHECK(scenario.catalog.median_size_bytes == 32 * 1024);
  CHECK(scenario.catalog.max_size_bytes == 1024 * 1024);

  const LinkOptions& network = scenario.network;
  CHECK(network.latency_distribution == LatencyDistribution::constant);
  CHECK(network.latency_ms_mean == 1.0);
  CHECK(network.latency_ms_stddev == 0.0);
  CHECK(network.jitter_ms == 0.0);
  CHECK(network.loss_probability == 0.0);
  CHECK(network.duplicate_probability == 0.0);
  CHECK(network.bandwidth_bytes_per_ms == 0.0);

  const WorkloadOptions& workload = scenario.workload;
  CHECK(workload.rate_per_s == 100.0);
  CHECK(workload.start_ms == 0);
  CHECK(workload.stop_ms == 10000);
  CHECK(workload.popularity == Popularity::zipf);
  CHECK(workload.zipf_s == 1.0);
  CHECK(workload.get_size_fraction == 0.1);
  CHECK(workload.max_requests == 0);

  CHECK(scenario.faults.empty());

  const NemesisOptions& nemesis = scenario.nemesis;
  CHECK_FALSE(nemesis.enabled);
  CHECK(nemesis.start_ms == 0);
  CHECK(nemesis.stop_ms == 0);
  CHECK(nemesis.interval_ms == 1000);
  CHECK(nemesis.fault_duration_ms == 2000);
  CHECK(nemesis.crash_probability == 0.0);
  CHECK(nemesis.pause_probability == 0.0);
  CHECK(nemesis.partition_probability == 0.0);
  CHECK(nemesis.isolate_probability == 0.0);
  CHECK(nemesis.cut_probability == 0.0);
  CHECK(nemesis.degrade_probability == 0.0);
  CHECK(nemesis.clock_probability == 0.0);
  CHECK_FALSE(nemesis.include_canonical);

  CHECK(scenario.checks.leader_overlap_limit_ms == 3000);
  CHECK(scenario.checks.quiet_period_ms == 5000);
  CHECK(scenario.checks.answer_grace_ms == 100);

  CHECK_FALSE(scenario.expect.final_leader.has_value());
  CHECK_FALSE(scenario.expect.min_success_ratio.has_value());
  CHECK_FALSE(scenario.expect.max_origin_fetches_per_image.has_value());
  CHECK_FALSE(scenario.expect.min_leader_changes.has_value());
  CHECK_FALSE(scenario.expect.min_evictions.has_value());
}

TEST_CASE("Empty sub-objects also yield the defaults", "[sim][scenario]") {
  const Scenario scenario = parse_ok(R"({"cluster": {"edge": {}, "client": {}}, "catalog": {},
      "network": {"latency": {}}, "workload": {"popularity": {}}, "faults": [], "nemesis": {}, "checks": {},
      "expect": {}})");
  CHECK(scenario == Scenario{});
}

// Every field of the format set to a value other than its default.
const char* const full_document = R"({
  "name": "leader crash under load",
  "description": "The leader dies while clients fetch; a new one must take over.",
  "seed": 18446744073709551615,
  "duration_ms": 30000,
  "protocol": "classic",
  "cluster": {
    "edges": 5,
    "clients": 2,
    "cache_budget_bytes": 1048576,
    "restart_keeps_cache": true,
    "edge": {
      "heartbeat_interval_ms": 50,
      "leader_timeout_ms": 300,
      "answer_timeout_ms": 150,
      "coordinator_timeout_ms": 450,
      "origin_timeout_ms": 800,
      "pull_timeout_ms": 900,
      "anti_entropy_interval_ms": 1500,
      "max_waiters_per_image": 16,
      "max_origin_fetches": 32,
      "max_active_pulls": 4,
      "max_queued_pulls": 64,
      "max_known_sizes": 128
    },
    "client": {
      "routing": "rendezvous",
      "attempt_timeout_ms": 250,
      "request_deadline_ms": 2000,
      "max_pending_requests": 99,
      "failover": false
    }
  },
  "catalog": {"images": 500, "seed": 77, "min_size_bytes": 100, "median_size_bytes": 2000, "max_size_bytes": 67108864},
  "network": {
    "latency": {"distribution": "lognormal", "mean_ms": 2.5, "stddev_ms": 0.75},
    "jitter_ms": 0.3,
    "loss_probability": 0.01,
    "duplicate_probability": 0.002,
    "bandwidth_bytes_per_ms": 12500
  },
  "workload": {
    "rate_per_s": 250.5,
    "start_ms": 100,
    "stop_ms": 25000,
    "popularity": {"distribution": "uniform", "s": 1.2},
    "get_size_fraction": 0.25,
    "max_requests": 10000
  },
  "faults": [
    {"at_ms": 9000, "kind": "restart", "node": "edge-5"},
    {"at_ms": 5000, "kind": "crash", "node": "leader"},
    {"at_ms": 6000, "kind": "partition", "groups": [["edge-1", "edge-2"], ["edge-3", "canonical"]]},
    {"at_ms": 6000, "kind": "pause", "node": "client-2"},
    {"at_ms": 6500, "kind": "resume", "node": "client-2"},
    {"at_ms": 7000, "kind": "isolate", "node": "edge-4"},
    {"at_ms": 7100, "kind": "cut", "from": "edge-1", "to": "canonical"},
    {"at_ms": 8000, "kind": "heal"},
    {"at_ms": 8100, "kind": "degrade", "from": "client-1", "to": "edge-2",
     "link": {"latency": {"distribution": "normal", "mean_ms": 40, "stddev_ms": 10}, "loss_probability": 0.5}},
    {"at_ms": 8200, "kind": "degrade", "link": {"jitter_ms": 5}},
    {"at_ms": 8300, "kind": "restore", "from": "client-1", "to": "edge-2"},
    {"at_ms": 8400, "kind": "restore"},
    {"at_ms": 8500, "kind": "clock", "node": "edge-3", "offset_ms": 1200, "drift_ppm": -250.5},
    {"at_ms": 8600, "kind": "forge", "node": "edge-1", "as": "edge-5", "message": "unrequested_reply"},
    {"at_ms": 8700, "kind": "slow", "node": "edge-2", "factor": 40},
    {"at_ms": 8800, "kind": "recover", "node": "edge-2"},
    {"at_ms": 8900, "kind": "hold", "groups": [["edge-1"], ["edge-2", "edge-3"]]},
    {"at_ms": 8950, "kind": "hold", "from": "edge-4", "to": "edge-5"},
    {"at_ms": 9000, "kind": "release", "order": "shuffled"}
  ],
  "nemesis": {
    "enabled": true,
    "start_ms": 1000,
    "stop_ms": 20000,
    "interval_ms": 700,
    "fault_duration_ms": 1500,
    "crash_probability": 0.1,
    "pause_probability": 0.2,
    "partition_probability": 0.3,
    "isolate_probability": 0.4,
    "cut_probability": 0.5,
    "degrade_probability": 0.6,
    "clock_probability": 0.7,
    "include_canonical": true
  },
  "checks": {"leader_overlap_limit_ms": 2000, "quiet_period_ms": 4000, "answer_grace_ms": 50},
  "expect": {
    "final_leader": "edge-4",
    "min_success_ratio": 0.95,
    "max_origin_fetches_per_image": 2,
    "min_leader_changes": 1,
    "min_evictions": 0
  }
})";

TEST_CASE("A complete document sets every field", "[sim][scenario]") {
  const Scenario scenario = parse_ok(full_document);
  CHECK(scenario.name == "leader crash under load");
  CHECK(scenario.seed == 18446744073709551615ULL);
  CHECK(scenario.duration_ms == 30000);
  CHECK(scenario.protocol == Protocol::classic);
  CHECK(scenario.cluster.edges == 5);
  CHECK(scenario.cluster.clients == 2);
  CHECK(scenario.cluster.restart_keeps_cache);
  CHECK(scenario.cluster.edge.heartbeat_interval_ms == 50);
  CHECK(scenario.cluster.edge.max_known_sizes == 128);
  CHECK(scenario.cluster.client.routing == RoutingMode::rendezvous);
  CHECK_FALSE(scenario.cluster.client.failover);
  CHECK(scenario.catalog.max_size_bytes == 64ULL * 1024 * 1024);
  CHECK(scenario.catalog.seed == 77);
  CHECK(scenario.network.latency_distribution == LatencyDistribution::lognormal);
  CHECK(scenario.network.latency_ms_mean == 2.5);
  CHECK(scenario.network.latency_ms_stddev == 0.75);
  CHECK(scenario.network.bandwidth_bytes_per_ms == 12500.0);
  CHECK(scenario.workload.popularity == Popularity::uniform);
  CHECK(scenario.workload.zipf_s == 1.2);
  CHECK(scenario.nemesis.clock_probability == 0.7);
  CHECK(scenario.checks.answer_grace_ms == 50);
  CHECK(scenario.expect.final_leader == "edge-4");
  CHECK(scenario.expect.min_success_ratio == 0.95);
  CHECK(scenario.expect.min_evictions == 0U);

  REQUIRE(scenario.faults.size() == 19);
  const auto hold = std::find_if(scenario.faults.begin(), scenario.faults.end(),
                                 [](const Fault& fault) { return fault.kind == FaultKind::hold; });
  REQUIRE(hold + 1 < scenario.faults.end());
  CHECK(hold->groups.size() == 2);
  CHECK((hold + 1)->from == "edge-4");
  const auto release = std::find_if(scenario.faults.begin(), scenario.faults.end(),
                                    [](const Fault& fault) { return fault.kind == FaultKind::release; });
  REQUIRE(release != scenario.faults.end());
  CHECK(release->shuffled);
  const auto slow = std::find_if(scenario.faults.begin(), scenario.faults.end(),
                                 [](const Fault& fault) { return fault.kind == FaultKind::slow; });
  REQUIRE(slow != scenario.faults.end());
  CHECK(slow->at_ms == 8700);
  CHECK(slow->node == "edge-2");
  CHECK(slow->factor == 40);
  REQUIRE(slow + 1 != scenario.faults.end());
  CHECK((slow + 1)->kind == FaultKind::recover);
  CHECK((slow + 1)->node == "edge-2");
  const Fault& crash = scenario.faults[0];
  CHECK(crash.kind == FaultKind::crash);
  CHECK(crash.node == "leader");
  CHECK(crash.at_ms == 5000);
  const Fault& partition = scenario.faults[1];
  CHECK(partition.kind == FaultKind::partition);
  CHECK(partition.groups == std::vector<std::vector<std::string>>{{"edge-1", "edge-2"}, {"edge-3", "canonical"}});
  const Fault& degrade_one = scenario.faults[7];
  REQUIRE(degrade_one.kind == FaultKind::degrade);
  CHECK(degrade_one.from == "client-1");
  CHECK(degrade_one.to == "edge-2");
  CHECK(degrade_one.link.latency_distribution == LatencyDistribution::normal);
  CHECK(degrade_one.link.latency_ms_mean == 40.0);
  CHECK(degrade_one.link.loss_probability == 0.5);
  // Fields the degraded link leaves out keep the network's values.
  CHECK(degrade_one.link.jitter_ms == 0.3);
  CHECK(degrade_one.link.bandwidth_bytes_per_ms == 12500.0);
  const Fault& degrade_all = scenario.faults[8];
  CHECK(degrade_all.from.empty());
  CHECK(degrade_all.to.empty());
  CHECK(degrade_all.link.jitter_ms == 5.0);
  CHECK(degrade_all.link.latency_distribution == LatencyDistribution::lognormal);
  const Fault& clock = scenario.faults[11];
  CHECK(clock.kind == FaultKind::clock);
  CHECK(clock.offset_ms == 1200);
  CHECK(clock.drift_ppm == -250.5);
  const Fault& forge = scenario.faults[12];
  CHECK(forge.kind == FaultKind::forge);
  CHECK(forge.node == "edge-1");
  CHECK(forge.as == "edge-5");
  CHECK(forge.message == ForgedMessage::unrequested_reply);
  CHECK(scenario.faults.back().at_ms == 9000);
}

TEST_CASE("A complete document and the defaults round-trip through scenario_to_json", "[sim][scenario]") {
  const Scenario full = parse_ok(full_document);
  CHECK(parse_ok(scenario_to_json(full).dump()) == full);
  CHECK(parse_ok(scenario_to_json(full).dump(2)) == full);
  CHECK(parse_ok(scenario_to_json(Scenario{}).dump()) == Scenario{});
}

TEST_CASE("scenario_to_json writes every field explicitly", "[sim][scenario]") {
  const nlohmann::json json = scenario_to_json(Scenario{});
  CHECK(json.size() == 13);
  CHECK(json.at("cluster").at("edge").size() == 12);
  CHECK(json.at("cluster").at("client").size() == 9);
  CHECK(json.at("expect").size() == 6);
  CHECK(json.at("network").at("latency").at("distribution") == "constant");
  CHECK(json.at("workload").at("popularity").at("distribution") == "zipf");
  CHECK(json.at("nemesis").size() == 15);
  CHECK(json.at("expect").at("final_leader").is_null());
  CHECK(json.at("faults").is_array());
}

TEST_CASE("link_options_to_json writes the network's layout", "[sim][scenario]") {
  const Scenario scenario = parse_ok(full_document);
  CHECK(link_options_to_json(scenario.network) == scenario_to_json(scenario).at("network"));
  const nlohmann::json link = link_options_to_json(scenario.network);
  CHECK(link.at("latency").at("distribution") == "lognormal");
  CHECK(link.at("latency").at("mean_ms") == 2.5);
  CHECK(link.at("bandwidth_bytes_per_ms") == 12500.0);
  // A link written out reads back as a degraded link unchanged.
  const Scenario degraded = parse_ok(R"({"faults": [{"kind": "degrade", "link": )" + link.dump() + "}]}");
  REQUIRE(degraded.faults.size() == 1);
  CHECK(degraded.faults[0].link == scenario.network);
}

TEST_CASE("Faults are sorted by time, ties in the order written", "[sim][scenario]") {
  const Scenario scenario = parse_ok(R"({"faults": [
      {"at_ms": 300, "kind": "heal"},
      {"at_ms": 100, "kind": "crash", "node": "edge-1"},
      {"at_ms": 200, "kind": "pause", "node": "edge-2"},
      {"at_ms": 100, "kind": "restart", "node": "edge-1"},
      {"kind": "resume", "node": "edge-2"},
      {"at_ms": 100, "kind": "isolate", "node": "edge-3"}]})");
  std::vector<std::pair<std::int64_t, FaultKind>> order;
  for (const Fault& fault : scenario.faults) order.emplace_back(fault.at_ms, fault.kind);
  CHECK(order == std::vector<std::pair<std::int64_t, FaultKind>>{{0, FaultKind::resume},
                                                                   {100, FaultKind::crash},
                                                                   {100, FaultKind::restart},
                                                                   {100, FaultKind::isolate},
                                                                   {200, FaultKind::pause},
                                                                   {300, FaultKind::heal}});
}

TEST_CASE("Expectations accept null as absent", "[sim][scenario]") {
  const Scenario scenario = parse_ok(R"({"expect": {"final_leader": null, "min_success_ratio": null,
      "max_origin_fetches_per_image": null, "min_leader_changes": null, "min_evictions": 3}})");
  CHECK_FALSE(scenario.expect.final_leader.has_value());
  CHECK_FALSE(scenario.expect.min_success_ratio.has_value());
  CHECK(scenario.expect.min_evictions == 3U);
}

TEST_CASE("Host names follow the cluster's shape", "[sim][scenario]") {
  ClusterOptions cluster;
  cluster.edges = 3;
  cluster.clients = 2;
  for (const char* name : {"canonical", "edge-1", "edge-3", "client-1", "client-2"}) {
    INFO(name);
    CHECK(is_host_name(cluster, name, false));
    CHECK(is_host_name(cluster, name, true));
  }
  for (const char* name : {"edge-0", "edge-4", "edge-01", "edge-", "edge-1x", "client-3", "client-0", "Edge-1",
                           "canonical ", "", "edge--1", "edge-99999999999999999999"}) {
    INFO(name);
    CHECK_FALSE(is_host_name(cluster, name, false));
    CHECK_FALSE(is_host_name(cluster, name, true));
  }
  CHECK_FALSE(is_host_name(cluster, "leader", false));
  CHECK(is_host_name(cluster, "leader", true));
}

TEST_CASE("Fault kinds have their documented names", "[sim][scenario]") {
  CHECK(std::string(fault_kind_name(FaultKind::crash)) == "crash");
  CHECK(std::string(fault_kind_name(FaultKind::restart)) == "restart");
  CHECK(std::string(fault_kind_name(FaultKind::pause)) == "pause");
  CHECK(std::string(fault_kind_name(FaultKind::resume)) == "resume");
  CHECK(std::string(fault_kind_name(FaultKind::partition)) == "partition");
  CHECK(std::string(fault_kind_name(FaultKind::isolate)) == "isolate");
  CHECK(std::string(fault_kind_name(FaultKind::cut)) == "cut");
  CHECK(std::string(fault_kind_name(FaultKind::heal)) == "heal");
  CHECK(std::string(fault_kind_name(FaultKind::degrade)) == "degrade");
  CHECK(std::string(fault_kind_name(FaultKind::restore)) == "restore");
  CHECK(std::string(fault_kind_name(FaultKind::clock)) == "clock");
  CHECK(std::string(fault_kind_name(FaultKind::forge)) == "forge");
  CHECK(std::string(forged_message_name(ForgedMessage::coordinator_max_epoch)) == "coordinator_max_epoch");
  CHECK(std::string(forged_message_name(ForgedMessage::pull_order)) == "pull_order");
  CHECK(std::string(forged_message_name(ForgedMessage::unrequested_reply)) == "unrequested_reply");
  CHECK(std::string(forged_message_name(ForgedMessage::inventory)) == "inventory");
}

TEST_CASE("ScenarioError::message joins path and reason", "[sim][scenario]") {
  CHECK(ScenarioError{"faults[2].at_ms", "expected an integer, got a string"}.message() ==
        "faults[2].at_ms: expected an integer, got a string");
  CHECK(ScenarioError{"", "invalid JSON at line 1, column 1: oops"}.message() ==
        "invalid JSON at line 1, column 1: oops");
}

struct BadCase {
  const char* json;
  const char* path;
  const char* reason;
};

TEST_CASE("Malformed scenarios name the offending field", "[sim][scenario]") {
  const std::vector<BadCase> cases = {
      // The document itself.
      {R"([])", "", "expected an object, got an array"},
      {R"("scenario")", "", "expected an object, got a string"},
      {R"({"nmae": "x"})", "nmae",
       "unknown key; expected one of: name, description, seed, duration_ms, protocol, cluster, catalog, network, "
       "workload, faults, nemesis, checks, expect"},
      {R"({"name": "a", "name": "b"})", "name", "duplicate key"},
      {R"({"cluster": {"edges": 3, "edges": 4}})", "cluster.edges", "duplicate key"},
      {R"({"faults": [{"kind": "heal"}, {"kind": "heal", "kind": "heal"}]})", "faults[1].kind", "duplicate key"},

      // Top-level fields.
      {R"({"name": 3})", "name", "expected a string, got a number"},
      {R"({"description": null})", "description", "expected a string, got null"},
      {R"({"seed": -1})", "seed", "must be at least 0, got -1"},
      {R"({"seed": 1.5})", "seed", "expected an integer, got 1.5 (write integers without a fraction or exponent)"},
      {R"({"seed": 1e3})", "seed",
       "expected an integer, got 1000.0 (write integers without a fraction or exponent)"},
      {R"({"seed": "7"})", "seed", "expected an integer, got a string"},
      {R"({"duration_ms": 0})", "duration_ms", "must be at least 1, got 0"},
      {R"({"duration_ms": 1000000001})", "duration_ms", "must be at most 1000000000, got 1000000001"},
      {R"({"duration_ms": 18446744073709551615})", "duration_ms",
       "must be at most 1000000000, got 18446744073709551615"},
      {R"({"duration_ms": true})", "duration_ms", "expected an integer, got a boolean"},
      {R"({"protocol": "bully"})", "protocol", R"(expected one of standard, classic; got "bully")"},
      {R"({"protocol": 1})", "protocol", "expected a string, got a number"},

      // Cluster.
      {R"({"cluster": []})", "cluster", "expected an object, got an array"},
      {R"({"cluster": {"edgez": 3}})", "cluster.edgez",
       "unknown key; expected one of: edges, clients, cache_budget_bytes, restart_keeps_cache, disk, "
       "disk_write_latency_ms, edge, client"},
      {R"({"cluster": {"edges": 0}})", "cluster.edges", "must be at least 1, got 0"},
      {R"({"cluster": {"edges": 257}})", "cluster.edges", "must be at most 256, got 257"},
      {R"({"cluster": {"clients": 65}})", "cluster.clients", "must be at most 64, got 65"},
      {R"({"cluster": {"clients": -2}})", "cluster.clients", "must be at least 1, got -2"},
      {R"({"cluster": {"cache_budget_bytes": 0}})", "cluster.cache_budget_bytes", "must be at least 1, got 0"},
      {R"({"cluster": {"restart_keeps_cache": 1}})", "cluster.restart_keeps_cache",
       "expected a boolean, got a number"},
      {R"({"cluster": {"edge": {"heartbeat_ms": 5}}})", "cluster.edge.heartbeat_ms",
       "unknown key; expected one of: heartbeat_interval_ms, leader_timeout_ms, answer_timeout_ms, "
       "coordinator_timeout_ms, origin_timeout_ms, pull_timeout_ms, anti_entropy_interval_ms, "
       "max_waiters_per_image, max_origin_fetches, max_active_pulls, max_queued_pulls, max_known_sizes"},
      {R"({"cluster": {"edge": {"answer_timeout_ms": 0}}})", "cluster.edge.answer_timeout_ms",
       "must be at least 1, got 0"},
      {R"({"cluster": {"edge": {"max_active_pulls": 2.0}}})", "cluster.edge.max_active_pulls",
       "expected an integer, got 2.0 (write integers without a fraction or exponent)"},
      {R"({"cluster": {"edge": {"max_known_sizes": -1}}})", "cluster.edge.max_known_sizes",
       "must be at least 1, got -1"},
      {R"({"cluster": {"edge": {"leader_timeout_ms": 100}}})", "cluster.edge.leader_timeout_ms",
       "must exceed heartbeat_interval_ms (100), got 100"},
      {R"({"cluster": {"edge": {"heartbeat_interval_ms": 600}}})", "cluster.edge.leader_timeout_ms",
       "must exceed heartbeat_interval_ms (600), got 500"},
      {R"({"cluster": {"client": {"routing": "hash"}}})", "cluster.client.routing",
       R"(expected one of modulo, rendezvous; got "hash")"},
      {R"({"cluster": {"client": {"edges": [1]}}})", "cluster.client.edges",
       "unknown key; expected one of: routing, attempt_timeout_ms, request_deadline_ms, max_pending_requests, "
       "failover, hedging, passive_health, ejection_ms, max_ejection_ms"},
      {R"({"cluster": {"client": {"failover": "yes"}}})", "cluster.client.failover",
       "expected a boolean, got a string"},
      {R"({"cluster": {"client": {"request_deadline_ms": 0}}})", "cluster.client.request_deadline_ms",
       "must be at least 1, got 0"},
      {R"({"cluster": {"client": {"hedging": 1}}})", "cluster.client.hedging", "expected a boolean, got a number"},
      {R"({"cluster": {"client": {"ejection_ms": 9000}}})", "cluster.client.ejection_ms",
       "must not exceed max_ejection_ms (8000)"},
      {R"({"expect": {"max_fault_p99_ratio": 0}})", "expect.max_fault_p99_ratio", "must be greater than 0, got 0"},

      // Catalog.
      {R"({"catalog": {"count": 1}})", "catalog.count",
       "unknown key; expected one of: images, seed, min_size_bytes, median_size_bytes, max_size_bytes"},
      {R"({"catalog": {"images": 0}})", "catalog.images", "must be at least 1, got 0"},
      {R"({"catalog": {"images": 10000001}})", "catalog.images", "must be at most 10000000, got 10000001"},
      {R"({"catalog": {"min_size_bytes": 0}})", "catalog.min_size_bytes", "must be at least 1, got 0"},
      {R"({"catalog": {"max_size_bytes": 67108865}})", "catalog.max_size_bytes",
       "must be at most 67108864, got 67108865"},
      {R"({"catalog": {"min_size_bytes": 40000}})", "catalog.median_size_bytes",
       "must be at least min_size_bytes (40000), got 32768"},
      {R"({"catalog": {"max_size_bytes": 4096}})", "catalog.max_size_bytes",
       "must be at least median_size_bytes (32768), got 4096"},

      // Network (the link object).
      {R"({"network": {"latency_ms_mean": 1}})", "network.latency_ms_mean",
       "unknown key; expected one of: latency, jitter_ms, loss_probability, duplicate_probability, "
       "bandwidth_bytes_per_ms"},
      {R"({"network": {"latency": {"mean": 1}}})", "network.latency.mean",
       "unknown key; expected one of: distribution, mean_ms, stddev_ms"},
      {R"({"network": {"latency": {"distribution": "pareto"}}})", "network.latency.distribution",
       R"(expected one of constant, uniform, normal, lognormal; got "pareto")"},
      {R"({"network": {"latency": {"mean_ms": -1}}})", "network.latency.mean_ms", "must be at least 0, got -1"},
      {R"({"network": {"latency": {"stddev_ms": "1"}}})", "network.latency.stddev_ms",
       "expected a number, got a string"},
      {R"({"network": {"latency": 5}})", "network.latency", "expected an object, got a number"},
      {R"({"network": {"jitter_ms": -0.5}})", "network.jitter_ms", "must be at least 0, got -0.5"},
      {R"({"network": {"loss_probability": 1.5}})", "network.loss_probability", "must be at most 1, got 1.5"},
      {R"({"network": {"duplicate_probability": -0.1}})", "network.duplicate_probability",
       "must be at least 0, got -0.1"},
      {R"({"network": {"bandwidth_bytes_per_ms": -1}})", "network.bandwidth_bytes_per_ms",
       "must be at least 0, got -1"},
      {R"({"network": {"bandwidth_bytes_per_ms": 0.0001}})", "network.bandwidth_bytes_per_ms",
       "must be 0 (unlimited) or at least 0.001, got 0.0001"},

      // Workload.
      {R"({"workload": {"rate": 5}})", "workload.rate",
       "unknown key; expected one of: rate_per_s, start_ms, stop_ms, popularity, get_size_fraction, "
       "max_requests"},
      {R"({"workload": {"rate_per_s": -1}})", "workload.rate_per_s", "must be at least 0, got -1"},
      {R"({"workload": {"rate_per_s": 2000000}})", "workload.rate_per_s", "must be at most 1000000, got 2000000"},
      {R"({"workload": {"start_ms": -5}})", "workload.start_ms", "must be at least 0, got -5"},
      {R"({"workload": {"start_ms": 500, "stop_ms": 400}})", "workload.stop_ms",
       "must be at least start_ms (500), got 400"},
      {R"({"workload": {"popularity": "zipf"}})", "workload.popularity", "expected an object, got a string"},
      {R"({"workload": {"popularity": {"exponent": 1}}})", "workload.popularity.exponent",
       "unknown key; expected one of: distribution, s"},
      {R"({"workload": {"popularity": {"distribution": "pareto"}}})", "workload.popularity.distribution",
       R"(expected one of uniform, zipf; got "pareto")"},
      {R"({"workload": {"popularity": {"s": 0}}})", "workload.popularity.s", "must be greater than 0, got 0"},
      {R"({"workload": {"get_size_fraction": 2}})", "workload.get_size_fraction", "must be at most 1, got 2"},
      {R"({"workload": {"max_requests": -1}})", "workload.max_requests", "must be at least 0, got -1"},

      // Faults: shape and kind.
      {R"({"faults": {}})", "faults", "expected an array, got an object"},
      {R"({"faults": ["crash"]})", "faults[0]", "expected an object, got a string"},
      {R"({"faults": [{"kind": "heal"}, {"at_ms": 5}]})", "faults[1].kind",
       "missing; every fault needs one of crash, restart, pause, resume, partition, isolate, cut, heal, degrade, "
       "restore, clock, forge, slow, recover, hold, release, disk_slow, disk_full, disk_lose, disk_tear, disk_flip, "
       "disk_repair"},
      {R"({"faults": [{"kind": "explode"}]})", "faults[0].kind",
       R"(expected one of crash, restart, pause, resume, partition, isolate, cut, heal, degrade, restore, clock, )"
       R"(forge, slow, recover, hold, release, disk_slow, disk_full, disk_lose, disk_tear, disk_flip, disk_repair; )"
       R"(got "explode")"},
      {R"({"faults": [{"kind": "heal", "target": "edge-1"}]})", "faults[0].target",
       "unknown key; expected one of: at_ms, kind, node, from, to, groups, link, offset_ms, drift_ppm, as, message, "
       "factor, order"},
      {R"({"faults": [{"kind": "heal"}, {"kind": "heal"}, {"at_ms": "5", "kind": "heal"}]})", "faults[2].at_ms",
       "expected an integer, got a string"},
      {R"({"faults": [{"at_ms": -1, "kind": "heal"}]})", "faults[0].at_ms", "must be at least 0, got -1"},
      {R"({"faults": [{"at_ms": 1.5, "kind": "heal"}]})", "faults[0].at_ms",
       "expected an integer, got 1.5 (write integers without a fraction or exponent)"},

      // Faults: fields the kind does not take.
      {R"({"faults": [{"kind": "heal"}, {"kind": "crash", "node": "edge-1", "groups": []}]})", "faults[1].groups",
       "not used by fault kind crash"},
      {R"({"faults": [{"kind": "heal", "node": "edge-1"}]})", "faults[0].node", "not used by fault kind heal"},
      {R"({"faults": [{"kind": "partition", "groups": [["edge-1"]], "link": {}}]})", "faults[0].link",
       "not used by fault kind partition"},
      {R"({"faults": [{"kind": "crash", "node": "edge-1", "offset_ms": 5}]})", "faults[0].offset_ms",
       "not used by fault kind crash"},
      {R"({"faults": [{"kind": "restore", "link": {}}]})", "faults[0].link", "not used by fault kind restore"},
      {R"({"faults": [{"kind": "cut", "from": "edge-1", "to": "edge-2", "node": "edge-3"}]})", "faults[0].node",
       "not used by fault kind cut"},
      {R"({"faults": [{"kind": "isolate", "node": "edge-1", "from": "edge-2"}]})", "faults[0].from",
       "not used by fault kind isolate"},

      // Faults: missing required fields.
      {R"({"faults": [{"kind": "crash"}]})", "faults[0].node",
       "missing; fault kind crash needs a host name or leader"},
      {R"({"faults": [{"kind": "clock", "offset_ms": 5}]})", "faults[0].node",
       "missing; fault kind clock needs a host name or leader"},
      {R"({"faults": [{"kind": "cut", "to": "edge-1"}]})", "faults[0].from",
       "missing; fault kind cut needs from and to"},
      {R"({"faults": [{"kind": "cut", "from": "edge-1"}]})", "faults[0].to",
       "missing; fault kind cut needs from and to"},
      {R"({"faults": [{"kind": "degrade", "from": "edge-1", "link": {}}]})", "faults[0].to",
       "missing; fault kind degrade needs to with from"},
      {R"({"faults": [{"kind": "restore", "to": "edge-1"}]})", "faults[0].from",
       "missing; fault kind restore needs from with to"},
      {R"({"faults": [{"kind": "degrade"}]})", "faults[0].link", "missing; fault kind degrade needs link"},
      {R"({"faults": [{"kind": "slow", "node": "edge-1"}]})", "faults[0].factor",
       "missing; fault kind slow needs how many times slower the host runs"},
      {R"({"faults": [{"kind": "slow", "node": "edge-1", "factor": 0}]})", "faults[0].factor",
       "must be at least 1, got 0"},
      {R"({"faults": [{"kind": "recover", "node": "edge-1", "factor": 2}]})", "faults[0].factor",
       "not used by fault kind recover"},
      {R"({"faults": [{"kind": "hold"}]})", "faults[0].groups",
       "fault kind hold needs either groups or from and to, not both"},
      {R"({"faults": [{"kind": "hold", "groups": [["edge-1"]], "from": "edge-1", "to": "edge-2"}]})",
       "faults[0].groups", "fault kind hold needs either groups or from and to, not both"},
      {R"({"faults": [{"kind": "hold", "from": "edge-1"}]})", "faults[0].to", "missing; fault kind hold needs from and to"},
      {R"({"faults": [{"kind": "release", "order": "lifo"}]})", "faults[0].order",
       R"(expected one of fifo, shuffled; got "lifo")"},
      {R"({"faults": [{"kind": "partition"}]})", "faults[0].groups", "missing; fault kind partition needs groups"},
      {R"({"faults": [{"kind": "forge", "node": "edge-1", "message": "inventory"}]})", "faults[0].as",
       "missing; fault kind forge needs the host the message claims to come from"},
      {R"({"faults": [{"kind": "forge", "node": "edge-1", "as": "edge-3"}]})", "faults[0].message",
       "missing; fault kind forge needs one of coordinator_max_epoch, pull_order, unrequested_reply, inventory"},
      {R"({"faults": [{"kind": "forge", "node": "edge-1", "as": "edge-3", "message": "hello"}]})",
       "faults[0].message",
       R"(expected one of coordinator_max_epoch, pull_order, unrequested_reply, inventory; got "hello")"},
      {R"({"faults": [{"kind": "forge", "node": "canonical", "as": "edge-3", "message": "inventory"}]})",
       "faults[0].node", "must name an edge: forged messages go to edges, got canonical"},
      {R"({"faults": [{"kind": "forge", "node": "leader", "as": "edge-3", "message": "inventory"}]})",
       "faults[0].node", "must name an edge: forged messages go to edges, got leader"},
      {R"({"faults": [{"kind": "forge", "node": "edge-2", "as": "edge-2", "message": "inventory"}]})",
       "faults[0].as", "must differ from node (edge-2)"},
      {R"({"faults": [{"kind": "forge", "node": "edge-2", "as": "leader", "message": "inventory"}]})",
       "faults[0].as",
       "leader is allowed only in a fault's node field; name a host: canonical, edge-1..edge-3, client-1..client-1"},
      {R"({"faults": [{"kind": "crash", "node": "edge-1", "as": "edge-2"}]})", "faults[0].as",
       "not used by fault kind crash"},

      // Faults: host names.
      {R"({"faults": [{"kind": "crash", "node": "edge-9"}]})", "faults[0].node",
       "unknown host edge-9; this cluster has canonical, edge-1..edge-3, client-1..client-1"},
      {R"({"cluster": {"edges": 9, "clients": 2}, "faults": [{"kind": "pause", "node": "client-3"}]})",
       "faults[0].node", "unknown host client-3; this cluster has canonical, edge-1..edge-9, client-1..client-2"},
      {R"({"faults": [{"kind": "crash", "node": 1}]})", "faults[0].node", "expected a string, got a number"},
      {R"({"faults": [{"kind": "cut", "from": "leader", "to": "edge-1"}]})", "faults[0].from",
       "leader is allowed only in a fault's node field; name a host: canonical, edge-1..edge-3, "
       "client-1..client-1"},
      {R"({"faults": [{"kind": "cut", "from": "edge-1", "to": "edge-0"}]})", "faults[0].to",
       "unknown host edge-0; this cluster has canonical, edge-1..edge-3, client-1..client-1"},
      {R"({"faults": [{"kind": "cut", "from": "edge-1", "to": "edge-1"}]})", "faults[0].to",
       "must differ from from (edge-1)"},
      {R"({"faults": [{"kind": "degrade", "from": "edge-1", "to": "edge-2", "link": {"loss": 1}}]})",
       "faults[0].link.loss",
       "unknown key; expected one of: latency, jitter_ms, loss_probability, duplicate_probability, "
       "bandwidth_bytes_per_ms"},
      {R"({"faults": [{"kind": "degrade", "link": {"latency": {"mean_ms": -3}}}]})",
       "faults[0].link.latency.mean_ms", "must be at least 0, got -3"},

      // Faults: partition groups.
      {R"({"faults": [{"kind": "partition", "groups": []}]})", "faults[0].groups", "must list at least one group"},
      {R"({"faults": [{"kind": "partition", "groups": "edge-1"}]})", "faults[0].groups",
       "expected an array of arrays of host names, got a string"},
      {R"({"faults": [{"kind": "partition", "groups": ["edge-1"]}]})", "faults[0].groups[0]",
       "expected an array of host names, got a string"},
      {R"({"faults": [{"kind": "partition", "groups": [["edge-1"], []]}]})", "faults[0].groups[1]",
       "must name at least one host"},
      {R"({"faults": [{"kind": "partition", "groups": [["edge-1", "edge-2"], ["edge-3", "edge-1"]]}]})",
       "faults[0].groups[1][1]", "edge-1 already appears in groups[0]"},
      {R"({"faults": [{"kind": "partition", "groups": [["edge-1"], ["leader"]]}]})", "faults[0].groups[1][0]",
       "leader is allowed only in a fault's node field; name a host: canonical, edge-1..edge-3, "
       "client-1..client-1"},
      {R"({"faults": [{"kind": "partition", "groups": [["edge-1", "edge-4"]]}]})", "faults[0].groups[0][1]",
       "unknown host edge-4; this cluster has canonical, edge-1..edge-3, client-1..client-1"},

      // Faults: clock.
      {R"({"faults": [{"kind": "clock", "node": "edge-1", "offset_ms": -1}]})", "faults[0].offset_ms",
       "must be at least 0, got -1"},
      {R"({"faults": [{"kind": "clock", "node": "edge-1", "drift_ppm": 100001}]})", "faults[0].drift_ppm",
       "must be at most 100000, got 100001"},
      {R"({"faults": [{"kind": "clock", "node": "edge-1", "drift_ppm": -100000.5}]})", "faults[0].drift_ppm",
       "must be at least -100000, got -100000.5"},

      // Nemesis.
      {R"({"nemesis": {"enable": true}})", "nemesis.enable",
       "unknown key; expected one of: enabled, start_ms, stop_ms, interval_ms, fault_duration_ms, "
       "crash_probability, pause_probability, partition_probability, isolate_probability, cut_probability, "
       "degrade_probability, clock_probability, slow_probability, hold_probability, disk_probability, "
       "include_canonical"},
      {R"({"nemesis": {"interval_ms": 0}})", "nemesis.interval_ms", "must be at least 1, got 0"},
      {R"({"nemesis": {"fault_duration_ms": 0}})", "nemesis.fault_duration_ms", "must be at least 1, got 0"},
      {R"({"nemesis": {"clock_probability": 1.01}})", "nemesis.clock_probability", "must be at most 1, got 1.01"},
      {R"({"nemesis": {"slow_probability": -0.1}})", "nemesis.slow_probability", "must be at least 0, got -0.1"},
      {R"({"nemesis": {"crash_probability": "high"}})", "nemesis.crash_probability",
       "expected a number, got a string"},
      {R"({"nemesis": {"start_ms": 10, "stop_ms": 5}})", "nemesis.stop_ms", "must be at least start_ms (10), got 5"},
      {R"({"nemesis": {"enabled": true}})", "nemesis.stop_ms",
       "must exceed start_ms (0) when the nemesis is enabled, got 0"},
      {R"({"nemesis": {"include_canonical": "no"}})", "nemesis.include_canonical",
       "expected a boolean, got a string"},

      // Checks.
      {R"({"checks": {"quiet_ms": 1}})", "checks.quiet_ms",
       "unknown key; expected one of: leader_overlap_limit_ms, quiet_period_ms, answer_grace_ms"},
      {R"({"checks": {"leader_overlap_limit_ms": 0}})", "checks.leader_overlap_limit_ms",
       "must be at least 1, got 0"},
      {R"({"checks": {"quiet_period_ms": -1}})", "checks.quiet_period_ms", "must be at least 0, got -1"},
      {R"({"checks": {"answer_grace_ms": 0.5}})", "checks.answer_grace_ms",
       "expected an integer, got 0.5 (write integers without a fraction or exponent)"},

      // Expectations.
      {R"({"expect": {"leader": "edge-1"}})", "expect.leader",
       "unknown key; expected one of: final_leader, min_success_ratio, max_origin_fetches_per_image, "
       "min_leader_changes, min_evictions, max_fault_p99_ratio, disk_degraded"},
      {R"({"expect": {"final_leader": "edge-4"}})", "expect.final_leader",
       "edge-4 is not an edge of this cluster (edge-1..edge-3)"},
      {R"({"expect": {"final_leader": "canonical"}})", "expect.final_leader",
       "canonical is not an edge of this cluster (edge-1..edge-3)"},
      {R"({"expect": {"final_leader": 2}})", "expect.final_leader", "expected a string, got a number"},
      {R"({"expect": {"min_success_ratio": 1.5}})", "expect.min_success_ratio", "must be at most 1, got 1.5"},
      {R"({"expect": {"min_leader_changes": -1}})", "expect.min_leader_changes", "must be at least 0, got -1"},
      {R"({"expect": {"min_evictions": 2.5}})", "expect.min_evictions",
       "expected an integer, got 2.5 (write integers without a fraction or exponent)"},
      {R"({"expect": {"max_origin_fetches_per_image": "1"}})", "expect.max_origin_fetches_per_image",
       "expected an integer, got a string"},
  };
  for (const BadCase& bad : cases) {
    const ScenarioError error = parse_error(bad.json);
    INFO(bad.json);
    CHECK(error.path == bad.path);
    CHECK(error.reason == bad.reason);
  }
}

TEST_CASE("Invalid JSON is reported with line and column", "[sim][scenario]") {
  struct SyntaxCase {
    std::string json;
    std::string position;
  };
  const std::vector<SyntaxCase> cases = {
      {"", "line 1, column 1"},
      {"{\n  \"seed\": 1,\n  \"name\": \"x\",\n}", "line 4, column 1"},
      {"{\"seed\": 1}}", "line 1, column 12"},
      {"{\n  \"seed\": 1,\n  \"name\": tru,\n}", "line 3, column 14"},
      {"{\n  \"seed\":\n", "line 3, column 1"},
      {"{\"name\": \"a\nb\"}", "line 1, column 12"},
  };
  for (const SyntaxCase& syntax : cases) {
    const ScenarioError error = parse_error(syntax.json);
    INFO(syntax.json);
    INFO(error.reason);
    CHECK(error.path.empty());
    CHECK(error.reason.rfind("invalid JSON at " + syntax.position + ": ", 0) == 0);
    // The parser's own explanation follows, without its exception prefix.
    CHECK(error.reason.find("json.exception") == std::string::npos);
    CHECK(error.reason.find("syntax error") != std::string::npos);
  }
}

TEST_CASE("Absurdly nested documents are refused", "[sim][scenario]") {
  const std::string deep = "{\"name\": " + std::string(100, '[') + std::string(100, ']') + "}";
  const ScenarioError error = parse_error(deep);
  CHECK(error.reason == "nested more than 64 levels deep");
  CHECK(error.path.rfind("name[0][0]", 0) == 0);
}

// ---- Random valid scenarios ----------------------------------------------------------------------------------

// A double in [low, high] that uses every bit of the mantissa, with the endpoints themselves now and then.
double any_double(double low, double high) {
  switch (*rc::gen::inRange(0, 8)) {
    case 0: return low;
    case 1: return high;
    default: break;
  }
  const auto bits = *rc::gen::arbitrary<std::uint64_t>();
  const double fraction = static_cast<double>(bits >> 11) * 0x1.0p-53;
  return std::min(high, low + (high - low) * fraction);
}

std::int64_t any_int(std::int64_t low, std::int64_t high) { return *rc::gen::inRange(low, high + 1); }

std::vector<std::string> host_names(const ClusterOptions& cluster) {
  std::vector<std::string> names{"canonical"};
  for (std::uint32_t i = 1; i <= cluster.edges; ++i) names.push_back("edge-" + std::to_string(i));
  for (std::uint32_t i = 1; i <= cluster.clients; ++i) names.push_back("client-" + std::to_string(i));
  return names;
}

LinkOptions any_link() {
  LinkOptions link;
  link.latency_distribution = static_cast<LatencyDistribution>(any_int(0, 3));
  link.latency_ms_mean = any_double(0.0, 1000.0);
  link.latency_ms_stddev = any_double(0.0, 100.0);
  link.jitter_ms = any_double(0.0, 50.0);
  link.loss_probability = any_double(0.0, 1.0);
  link.duplicate_probability = any_double(0.0, 1.0);
  link.bandwidth_bytes_per_ms = any_int(0, 1) == 0 ? 0.0 : any_double(0.001, 1e9);
  return link;
}

Fault any_fault(const ClusterOptions& cluster) {
  std::vector<std::string> hosts = host_names(cluster);
  Fault fault;
  fault.at_ms = any_int(0, 100000);
  // The disk kinds only where the edges have disks.
  const FaultKind last = cluster.disk ? last_fault_kind : FaultKind::release;
  fault.kind = static_cast<FaultKind>(any_int(0, static_cast<std::int64_t>(last)));
  auto any_host = [&] { return hosts[static_cast<std::size_t>(any_int(0, static_cast<std::int64_t>(hosts.size()) - 1))]; };
  auto two_hosts = [&] {
    fault.from = any_host();
    do fault.to = any_host(); while (fault.to == fault.from);
  };
  switch (fault.kind) {
    case FaultKind::crash:
    case FaultKind::restart:
    case FaultKind::pause:
    case FaultKind::resume:
    case FaultKind::isolate:
    case FaultKind::recover: fault.node = any_int(0, 4) == 0 ? "leader" : any_host(); break;
    case FaultKind::slow:
      fault.node = any_int(0, 4) == 0 ? "leader" : any_host();
      fault.factor = any_int(1, max_slow_factor);
      break;
    case FaultKind::release: fault.shuffled = any_int(0, 1) == 1; break;
    case FaultKind::hold:
      if (any_int(0, 1) == 1) {
        two_hosts();
        break;
      }
      [[fallthrough]];
    case FaultKind::partition: {
      std::vector<std::string> shuffled = hosts;
      for (std::size_t i = shuffled.size(); i > 1; --i) {
        std::swap(shuffled[i - 1], shuffled[static_cast<std::size_t>(any_int(0, static_cast<std::int64_t>(i) - 1))]);
      }
      shuffled.resize(static_cast<std::size_t>(any_int(1, static_cast<std::int64_t>(shuffled.size()))));
      std::size_t start = 0;
      while (start < shuffled.size()) {
        const auto size = static_cast<std::size_t>(any_int(1, static_cast<std::int64_t>(shuffled.size() - start)));
        fault.groups.emplace_back(shuffled.begin() + static_cast<std::ptrdiff_t>(start),
                                  shuffled.begin() + static_cast<std::ptrdiff_t>(start + size));
        start += size;
      }
      break;
    }
    case FaultKind::cut: two_hosts(); break;
    case FaultKind::heal: break;
    case FaultKind::degrade:
      if (any_int(0, 1) == 1) two_hosts();
      fault.link = any_link();
      break;
    case FaultKind::restore:
      if (any_int(0, 1) == 1) two_hosts();
      break;
    case FaultKind::clock:
      fault.node = any_int(0, 4) == 0 ? "leader" : any_host();
      fault.offset_ms = any_int(0, 100000);
      fault.drift_ppm = any_double(-100000.0, 100000.0);
      break;
    case FaultKind::forge:
      fault.node = "edge-" + std::to_string(any_int(1, cluster.edges));
      do fault.as = any_host(); while (fault.as == fault.node);
      fault.message = static_cast<ForgedMessage>(any_int(0, 3));
      break;
    case FaultKind::disk_slow:
    case FaultKind::disk_full:
    case FaultKind::disk_lose:
    case FaultKind::disk_tear:
    case FaultKind::disk_flip:
    case FaultKind::disk_repair:
      fault.node = any_int(0, 4) == 0 ? "leader" : "edge-" + std::to_string(any_int(1, cluster.edges));
      if (fault.kind == FaultKind::disk_slow) fault.factor = any_int(1, max_slow_factor);
      break;
  }
  return fault;
}

Scenario any_scenario() {
  Scenario scenario;
  // Names are text, so the generator draws valid UTF-8, including characters JSON must escape.
  const auto text = rc::gen::container<std::vector<std::string>>(
      rc::gen::element<std::string>("a", "Z", " ", "\"", "\\", "\n", "\t", "\u00e9", "\u4e2d", "\U0001F600"));
  for (const std::string& piece : *text) scenario.name += piece;
  for (const std::string& piece : *text) scenario.description += piece;
  scenario.seed = *rc::gen::arbitrary<std::uint64_t>();
  scenario.duration_ms = any_int(1, 1'000'000'000);
  scenario.protocol = static_cast<Protocol>(any_int(0, 1));

  ClusterOptions& cluster = scenario.cluster;
  cluster.edges = static_cast<std::uint32_t>(any_int(1, 256));
  cluster.clients = static_cast<std::uint32_t>(any_int(1, 64));
  cluster.cache_budget_bytes = *rc::gen::inRange<std::uint64_t>(1, std::numeric_limits<std::uint64_t>::max());
  cluster.restart_keeps_cache = *rc::gen::arbitrary<bool>();
  cluster.disk = !cluster.restart_keeps_cache && *rc::gen::arbitrary<bool>();
  if (cluster.disk) cluster.disk_write_latency_ms = any_int(0, 1'000'000'000);
  cluster.edge.heartbeat_interval_ms = any_int(1, 1000);
  cluster.edge.leader_timeout_ms = any_int(cluster.edge.heartbeat_interval_ms + 1, 10000);
  cluster.edge.answer_timeout_ms = any_int(1, 10000);
  cluster.edge.coordinator_timeout_ms = any_int(1, 10000);
  cluster.edge.origin_timeout_ms = any_int(1, 10000);
  cluster.edge.pull_timeout_ms = any_int(1, 10000);
  cluster.edge.anti_entropy_interval_ms = any_int(1, 10000);
  cluster.edge.max_waiters_per_image = static_cast<std::size_t>(any_int(1, 1'000'000'000));
  cluster.edge.max_origin_fetches = static_cast<std::size_t>(any_int(1, 100000));
  cluster.edge.max_active_pulls = static_cast<std::size_t>(any_int(1, 100));
  cluster.edge.max_queued_pulls = static_cast<std::size_t>(any_int(1, 100000));
  cluster.edge.max_known_sizes = static_cast<std::size_t>(any_int(1, 100000));
  cluster.client.routing = static_cast<RoutingMode>(any_int(0, 1));
  cluster.client.attempt_timeout_ms = any_int(1, 10000);
  cluster.client.request_deadline_ms = any_int(1, 100000);
  cluster.client.max_pending_requests = static_cast<std::size_t>(any_int(1, 100000));
  cluster.client.failover = *rc::gen::arbitrary<bool>();
  cluster.client.hedging = *rc::gen::arbitrary<bool>();
  cluster.client.passive_health = *rc::gen::arbitrary<bool>();
  cluster.client.max_ejection_ms = any_int(1, 100000);
  cluster.client.ejection_ms = any_int(1, cluster.client.max_ejection_ms);

  std::vector<std::int64_t> sizes{any_int(1, 64 << 20), any_int(1, 64 << 20), any_int(1, 64 << 20)};
  std::sort(sizes.begin(), sizes.end());
  scenario.catalog.images = static_cast<std::uint64_t>(any_int(1, 10'000'000));
  scenario.catalog.min_size_bytes = static_cast<std::uint64_t>(sizes[0]);
  scenario.catalog.median_size_bytes = static_cast<std::uint64_t>(sizes[1]);
  scenario.catalog.max_size_bytes = static_cast<std::uint64_t>(sizes[2]);

  scenario.network = any_link();

  WorkloadOptions& workload = scenario.workload;
  workload.rate_per_s = any_double(0.0, 1'000'000.0);
  workload.start_ms = any_int(0, 100000);
  workload.stop_ms = any_int(workload.start_ms, 200000);
  workload.popularity = static_cast<Popularity>(any_int(0, 1));
  workload.zipf_s = any_double(1e-9, 10.0);
  workload.get_size_fraction = any_double(0.0, 1.0);
  workload.max_requests = *rc::gen::arbitrary<std::uint64_t>();

  const auto fault_count = any_int(0, 12);
  for (std::int64_t i = 0; i < fault_count; ++i) scenario.faults.push_back(any_fault(cluster));
  std::stable_sort(scenario.faults.begin(), scenario.faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });

  NemesisOptions& nemesis = scenario.nemesis;
  nemesis.enabled = *rc::gen::arbitrary<bool>();
  nemesis.start_ms = any_int(0, 100000);
  nemesis.stop_ms = any_int(nemesis.start_ms + 1, 200000);
  nemesis.interval_ms = any_int(1, 10000);
  nemesis.fault_duration_ms = any_int(1, 10000);
  nemesis.crash_probability = any_double(0.0, 1.0);
  nemesis.pause_probability = any_double(0.0, 1.0);
  nemesis.partition_probability = any_double(0.0, 1.0);
  nemesis.isolate_probability = any_double(0.0, 1.0);
  nemesis.cut_probability = any_double(0.0, 1.0);
  nemesis.degrade_probability = any_double(0.0, 1.0);
  nemesis.clock_probability = any_double(0.0, 1.0);
  nemesis.slow_probability = any_double(0.0, 1.0);
  nemesis.hold_probability = any_double(0.0, 1.0);
  if (cluster.disk) nemesis.disk_probability = any_double(0.0, 1.0);
  nemesis.include_canonical = *rc::gen::arbitrary<bool>();

  scenario.checks.leader_overlap_limit_ms = any_int(1, 100000);
  scenario.checks.quiet_period_ms = any_int(0, 100000);
  scenario.checks.answer_grace_ms = any_int(0, 100000);

  if (*rc::gen::arbitrary<bool>()) {
    scenario.expect.final_leader = "edge-" + std::to_string(any_int(1, cluster.edges));
  }
  if (*rc::gen::arbitrary<bool>()) scenario.expect.min_success_ratio = any_double(0.0, 1.0);
  if (*rc::gen::arbitrary<bool>()) scenario.expect.max_origin_fetches_per_image = *rc::gen::arbitrary<std::uint64_t>();
  if (*rc::gen::arbitrary<bool>()) scenario.expect.min_leader_changes = *rc::gen::arbitrary<std::uint64_t>();
  if (*rc::gen::arbitrary<bool>()) scenario.expect.min_evictions = *rc::gen::arbitrary<std::uint64_t>();
  if (*rc::gen::arbitrary<bool>()) scenario.expect.max_fault_p99_ratio = any_double(0.01, 1000.0);
  if (cluster.disk && *rc::gen::arbitrary<bool>()) {
    scenario.expect.disk_degraded.push_back("edge-" + std::to_string(any_int(1, cluster.edges)));
  }
  return scenario;
}

TEST_CASE("Random valid scenarios round-trip exactly", "[sim][scenario]") {
  rc::prop("parse_scenario(scenario_to_json(s).dump()) == s", [] {
    const Scenario scenario = any_scenario();
    const std::string text = scenario_to_json(scenario).dump();
    const ScenarioResult result = parse_scenario(text);
    RC_ASSERT(!result.error.has_value());
    RC_ASSERT(result.scenario == std::optional<Scenario>(scenario));
  });
}

}  // namespace
}  // namespace edgecache::sim
