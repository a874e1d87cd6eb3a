// cache_budget: an edge that ignores its configured budget (it caches into a store four times larger) must
// make the checker fire once its cache grows past the budget it was given.

#include <catch2/catch.hpp>

#include "tests/sim/checkers/checker_test_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

class BudgetIgnoringEdge final : public Node, public EdgeObservable {
 public:
  BudgetIgnoringEdge(Env& env, const EdgeConfig& config, const LruCache& given)
      : configured_budget_bytes_(given.budget_bytes()), big_cache_(given.budget_bytes() * 4), edge_(env, config, big_cache_) {}
  void on_start() override { edge_.on_start(); }
  void on_message(NodeId from, const Message& message) override { edge_.on_message(from, message); }
  void on_timer(const Timer& timer) override { edge_.on_timer(timer); }
  EdgeStatus status() const override {
    EdgeStatus status = edge_.status();
    status.cache_budget_bytes = configured_budget_bytes_;
    return status;
  }
  std::vector<ImageId> cached_images() const override { return edge_.cached_images(); }

 private:
  std::uint64_t configured_budget_bytes_;
  LruCache big_cache_;
  Edge edge_;
};

Scenario tight_budget() {
  Scenario scenario = testing::small_scenario();
  scenario.cluster.cache_budget_bytes = 64 * 1024;
  return scenario;
}

}  // namespace

TEST_CASE("cache_budget holds for healthy edges under pressure", "[sim][checkers]") {
  RunReport report = run_scenario(tight_budget(), {});
  INFO(testing::violations_text(report));
  CHECK(testing::held(report, "cache_budget"));
  CHECK(report.edge_totals.evictions > 0);
}

TEST_CASE("an edge that ignores its budget makes cache_budget fire", "[sim][checkers]") {
  NodeFactories factories = default_node_factories();
  factories.edge = [](Env& env, const EdgeConfig& config, LruCache& cache) -> std::unique_ptr<Node> {
    return std::make_unique<BudgetIgnoringEdge>(env, config, cache);
  };
  RunReport report = run_scenario(tight_budget(), {}, factories);
  REQUIRE(testing::fired(report, "cache_budget"));
  CHECK(testing::violations_text(report).find("over its budget") != std::string::npos);
}
