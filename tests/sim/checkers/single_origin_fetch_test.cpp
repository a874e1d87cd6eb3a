// single_origin_fetch: an edge that sends each origin fetch twice (as an edge without request coalescing
// would under concurrent misses) must make the checker fire.

#include <catch2/catch.hpp>

#include "tests/sim/checkers/checker_test_support.h"

using namespace edgecache;
using namespace edgecache::sim;

TEST_CASE("single_origin_fetch holds for healthy edges", "[sim][checkers]") {
  RunReport report = run_scenario(testing::small_scenario(), {});
  INFO(testing::violations_text(report));
  CHECK(testing::held(report, "single_origin_fetch"));
  CHECK(report.edge_totals.origin_fetches > 0);
}

TEST_CASE("an edge that fetches twice makes single_origin_fetch fire", "[sim][checkers]") {
  NodeFactories factories = default_node_factories();
  factories.edge = [](Env& env, const EdgeConfig& config, LruCache& cache) -> std::unique_ptr<Node> {
    NodeId canonical = config.canonical;
    return std::make_unique<testing::RewrittenEdge>(env, config, cache, [canonical](NodeId to, Message& message, Env& target) {
      if (auto* fetch = std::get_if<GetImage>(&message); fetch != nullptr && to == canonical) {
        GetImage again = *fetch;
        again.request_id += 1'000'000;
        target.send(to, again);
      }
      return true;
    });
  };
  RunReport report = run_scenario(testing::small_scenario(), {}, factories);
  REQUIRE(testing::fired(report, "single_origin_fetch"));
  CHECK(testing::violations_text(report).find("second origin fetch") != std::string::npos);
}
