// scenarios/forged_peer.json passes because the edges check who answers and who orders, not because its
// forgeries are harmless (tests/sim/scenarios_test.cpp shows it passing with the real edges). Method: the
// scenario runs with edges that take their peers' word, a wrapper that tells the real edge every reply came
// from whomever its request went to and every order from the leader it follows; served_bytes must fire. The
// same scenario without its forge faults must pass with those edges, so the failure is the forgeries' doing.

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "tests/sim/checkers/checker_test_support.h"
#include "tests/sim/scenario_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

const std::filesystem::path forged_peer = std::filesystem::path(EDGECACHE_SOURCE_DIR) / "scenarios" / "forged_peer.json";

// An edge that takes its peers' word: a reply is passed on as if from the node its request went to, and a
// PullOrder or InventoryRequest as if from the leader the edge follows, so the edge's own checks of who
// answers and who orders never refuse anything. The epoch bound cannot be switched off from outside, so a
// forged top epoch is still refused.
class TrustingEdge final : public Node, public EdgeObservable {
 public:
  TrustingEdge(Env& env, const EdgeConfig& config, LruCache& cache)
      : env_(env, [this](NodeId to, Message& message, Env&) { remember(to, message); return true; }),
        edge_(env_, config, cache) {}
  void on_start() override { edge_.on_start(); }
  void on_message(NodeId from, const Message& message) override { edge_.on_message(vouched_sender(from, message), message); }
  void on_timer(const Timer& timer) override { edge_.on_timer(timer); }
  EdgeStatus status() const override { return edge_.status(); }
  std::vector<ImageId> cached_images() const override { return edge_.cached_images(); }

 private:
  void remember(NodeId to, const Message& message) {
    if (const auto* request = std::get_if<GetImage>(&message)) asked_[request->request_id] = to;
  }

  NodeId vouched_sender(NodeId from, const Message& message) const {
    if (const auto* reply = std::get_if<ImageReply>(&message)) {
      auto asked = asked_.find(reply->request_id);
      return asked != asked_.end() ? asked->second : from;
    }
    const std::optional<NodeId> leader = edge_.status().leader;
    const bool is_order = std::holds_alternative<PullOrder>(message) || std::holds_alternative<InventoryRequest>(message);
    return is_order && leader && *leader != edge_.status().id ? *leader : from;
  }

  std::map<RequestId, NodeId> asked_;  // Every GetImage the edge sent, by request id: to whom it went.
  testing::RewritingEnv env_;
  Edge edge_;
};

NodeFactories trusting_edges() {
  NodeFactories factories = default_node_factories();
  factories.edge = [](Env& env, const EdgeConfig& config, LruCache& cache) -> std::unique_ptr<Node> {
    return std::make_unique<TrustingEdge>(env, config, cache);
  };
  return factories;
}

}  // namespace

TEST_CASE("forged_peer: edges that take a peer's word serve the forged bytes", "[sim][forge]") {
  const Scenario scenario = testing::load(forged_peer);
  Scenario unforged = scenario;
  unforged.faults.clear();
  const RunReport control = run_scenario(unforged, {}, trusting_edges());
  INFO(testing::violations_text(control));
  REQUIRE(control.passed());

  const RunReport report = run_scenario(scenario, {}, trusting_edges());
  CHECK(testing::fired(report, "served_bytes"));
  // The taken bytes spread by replication and reach the clients.
  CHECK(testing::violations_text(report).find("received image") != std::string::npos);
}
