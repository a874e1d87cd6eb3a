// served_bytes: an edge that flips a byte in every image it serves, and claims the checksum of the corrupted
// bytes so the client cannot tell, must make the checker fire.

#include <catch2/catch.hpp>

#include "tests/sim/checkers/checker_test_support.h"

using namespace edgecache;
using namespace edgecache::sim;

TEST_CASE("served_bytes holds for healthy edges", "[sim][checkers]") {
  RunReport report = run_scenario(testing::small_scenario(), {});
  INFO(testing::violations_text(report));
  CHECK(testing::held(report, "served_bytes"));
}

TEST_CASE("an edge that corrupts what it serves makes served_bytes fire", "[sim][checkers]") {
  NodeFactories factories = default_node_factories();
  factories.edge = [](Env& env, const EdgeConfig& config, LruCache& cache) -> std::unique_ptr<Node> {
    return std::make_unique<testing::RewrittenEdge>(env, config, cache, [](NodeId, Message& message, Env&) {
      if (auto* reply = std::get_if<ImageReply>(&message); reply != nullptr && reply->body && reply->body->size() > 0) {
        std::vector<std::uint8_t> bytes(reply->body->bytes().begin(), reply->body->bytes().end());
        bytes[bytes.size() / 2] ^= 0x40;
        reply->body = make_body(std::move(bytes));
        reply->checksum = reply->body->checksum();
      }
      return true;
    });
  };
  RunReport report = run_scenario(testing::small_scenario(), {}, factories);
  REQUIRE(testing::fired(report, "served_bytes"));
  CHECK(testing::violations_text(report).find("differ from the canonical") != std::string::npos);
}
