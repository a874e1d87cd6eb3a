// single_leader and leader_liveness: an edge that is deaf to every election message (it never hears Answer,
// Coordinator or Heartbeat) elects itself and never steps down, so two leaders that can reach each other
// coexist past the overlap limit, and the cluster never agrees on the highest id.

#include <catch2/catch.hpp>

#include "tests/sim/checkers/checker_test_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

class DeafToElections final : public Node, public EdgeObservable {
 public:
  DeafToElections(Env& env, const EdgeConfig& config, LruCache& cache) : edge_(env, config, cache) {}
  void on_start() override { edge_.on_start(); }
  void on_message(NodeId from, const Message& message) override {
    switch (kind_of(message)) {
      case MessageKind::answer:
      case MessageKind::coordinator:
      case MessageKind::heartbeat:
      case MessageKind::election:
        return;
      default:
        edge_.on_message(from, message);
    }
  }
  void on_timer(const Timer& timer) override { edge_.on_timer(timer); }
  EdgeStatus status() const override { return edge_.status(); }
  std::vector<ImageId> cached_images() const override { return edge_.cached_images(); }

 private:
  Edge edge_;
};

}  // namespace

TEST_CASE("single_leader and leader_liveness hold for healthy edges", "[sim][checkers]") {
  RunReport report = run_scenario(testing::small_scenario(), {});
  INFO(testing::violations_text(report));
  CHECK(testing::held(report, "single_leader"));
  CHECK(testing::held(report, "leader_liveness"));
}

TEST_CASE("an edge deaf to elections makes single_leader and leader_liveness fire", "[sim][checkers]") {
  NodeFactories factories = default_node_factories();
  auto healthy = factories.edge;
  factories.edge = [healthy](Env& env, const EdgeConfig& config, LruCache& cache) -> std::unique_ptr<Node> {
    if (env.self() == 1) return std::make_unique<DeafToElections>(env, config, cache);
    return healthy(env, config, cache);
  };
  RunReport report = run_scenario(testing::small_scenario(), {}, factories);
  INFO(testing::violations_text(report));
  CHECK(testing::fired(report, "single_leader"));
  CHECK(testing::fired(report, "leader_liveness"));
}

TEST_CASE("single_leader judges two leaders once more at the end, when no event follows the limit", "[sim][checkers]") {
  // Classic edges send no heartbeats, so once the workload stops and a partition heals between two leaders
  // (edge-2 elected itself on restarting while edge-3 was cut off), nothing happens any more: only the check
  // at the end of the run sees that they overlapped for longer than the limit.
  Scenario scenario = testing::small_scenario();
  scenario.protocol = Protocol::classic;
  scenario.workload.stop_ms = 1000;
  Fault isolate;
  isolate.at_ms = 500;
  isolate.kind = FaultKind::isolate;
  isolate.node = "edge-3";
  Fault restart;
  restart.at_ms = 1000;
  restart.kind = FaultKind::restart;
  restart.node = "edge-2";
  Fault heal;
  heal.at_ms = 1500;
  heal.kind = FaultKind::heal;
  scenario.faults = {isolate, restart, heal};
  RunReport report = run_scenario(scenario, {});
  INFO(testing::violations_text(report));
  REQUIRE(testing::fired(report, "single_leader"));
  for (const Violation& violation : report.violations) {
    if (violation.checker == "single_leader") CHECK(violation.time_us == report.sim_time_us);
  }
}
