// answered_once: a client whose results are swallowed for some requests (never answered) or reported twice
// (answered again) must make the checker fire.

#include <catch2/catch.hpp>

#include "tests/sim/checkers/checker_test_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

NodeFactories with_result_filter(std::function<void(const ClientResult&, const Client::ResultHandler&)> filter) {
  NodeFactories factories = default_node_factories();
  factories.client = [filter](Env& env, const ClientConfig& config, Client::ResultHandler on_result) -> std::unique_ptr<Node> {
    return std::make_unique<Client>(env, config, [filter, on_result](const ClientResult& result) { filter(result, on_result); });
  };
  return factories;
}

}  // namespace

TEST_CASE("answered_once holds for a healthy client", "[sim][checkers]") {
  RunReport report = run_scenario(testing::small_scenario(), {});
  INFO(testing::violations_text(report));
  CHECK(testing::held(report, "answered_once"));
  CHECK(report.total_requests() > 100);
}

TEST_CASE("a client that loses some outcomes makes answered_once fire", "[sim][checkers]") {
  auto factories = with_result_filter([](const ClientResult& result, const Client::ResultHandler& forward) {
    if (result.id % 7 != 0) forward(result);
  });
  RunReport report = run_scenario(testing::small_scenario(), {}, factories);
  REQUIRE(testing::fired(report, "answered_once"));
  CHECK(testing::violations_text(report).find("never answered") != std::string::npos);
}

TEST_CASE("a client that reports an outcome twice makes answered_once fire", "[sim][checkers]") {
  auto factories = with_result_filter([](const ClientResult& result, const Client::ResultHandler& forward) {
    forward(result);
    if (result.id == 10) forward(result);
  });
  RunReport report = run_scenario(testing::small_scenario(), {}, factories);
  REQUIRE(testing::fired(report, "answered_once"));
  CHECK(testing::violations_text(report).find("answered again") != std::string::npos);
}
