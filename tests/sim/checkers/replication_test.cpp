// replication_complete: a leader whose pull orders never leave it (lost in its own send path) leaves the
// followers without the images other edges fetched, which the checker must report after the quiet period.

#include <catch2/catch.hpp>

#include "tests/sim/checkers/checker_test_support.h"

using namespace edgecache;
using namespace edgecache::sim;

TEST_CASE("replication_complete holds for healthy edges", "[sim][checkers]") {
  RunReport report = run_scenario(testing::small_scenario(), {});
  INFO(testing::violations_text(report));
  CHECK(testing::held(report, "replication_complete"));
  CHECK(report.edge_totals.replicas_received > 0);
}

TEST_CASE("edges that drop their pull orders make replication_complete fire", "[sim][checkers]") {
  NodeFactories factories = default_node_factories();
  factories.edge = [](Env& env, const EdgeConfig& config, LruCache& cache) -> std::unique_ptr<Node> {
    return std::make_unique<testing::RewrittenEdge>(env, config, cache, [](NodeId, Message& message, Env&) {
      return kind_of(message) != MessageKind::pull_order;
    });
  };
  RunReport report = run_scenario(testing::small_scenario(), {}, factories);
  REQUIRE(testing::fired(report, "replication_complete"));
  CHECK(testing::violations_text(report).find("lacks") != std::string::npos);
}

TEST_CASE("replication_complete is skipped, and says why, under cache pressure", "[sim][checkers]") {
  Scenario scenario = testing::small_scenario();
  scenario.cluster.cache_budget_bytes = 32 * 1024;
  RunReport report = run_scenario(scenario, {});
  const Verdict* verdict = testing::verdict_of(report, "replication_complete");
  REQUIRE(verdict != nullptr);
  CHECK(verdict->kind == VerdictKind::skipped);
  CHECK(verdict->detail.find("cache pressure") != std::string::npos);
}
