// disk_recovery: edges with simulated disks whose files get torn and flipped must restart with only intact
// images, and all of them. Healthy mirrors hold; a mirror that trusts its disk makes the checker fire (and
// served_bytes too, once the edge serves what it loaded); a load that misses an intact file makes it fire.

#include <catch2/catch.hpp>

#include "sim/checkers/all_checkers.h"
#include "sim/world/world.h"
#include "tests/sim/checkers/checker_test_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

// The small scenario with disks, where every edge's disk flips bits and tears a write before the edges
// restart one by one, under load.
Scenario damaged_disks_scenario() {
  Scenario scenario = testing::small_scenario();
  scenario.cluster.disk = true;
  scenario.workload.stop_ms = 5000;
  for (int edge = 1; edge <= 3; ++edge) {
    const std::string node = "edge-" + std::to_string(edge);
    const std::int64_t at_ms = 1000 + 700 * edge;
    for (int flip = 0; flip < 10; ++flip) scenario.faults.push_back(host_fault(at_ms, FaultKind::disk_flip, node));
    scenario.faults.push_back(host_fault(at_ms - 400, FaultKind::disk_tear, node));
    scenario.faults.push_back(host_fault(at_ms + 100, FaultKind::restart, node));
  }
  std::stable_sort(scenario.faults.begin(), scenario.faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  return scenario;
}

class IdleNode final : public Node {
 public:
  void on_start() override {}
  void on_message(NodeId, const Message&) override {}
  void on_timer(const Timer&) override {}
};

}  // namespace

TEST_CASE("disk_recovery holds for healthy mirrors on damaged disks", "[sim][checkers][disk]") {
  RunReport report = run_scenario(damaged_disks_scenario(), {});
  INFO(testing::violations_text(report));
  CHECK(testing::held(report, "disk_recovery"));
  CHECK(testing::held(report, "served_bytes"));
  REQUIRE(report.disk);
  CHECK(report.disk->mirrors.dropped_corrupt > 0);
  CHECK(report.disk->mirrors.loaded > 0);
}

TEST_CASE("disk_recovery is skipped, and says why, without disks", "[sim][checkers][disk]") {
  RunReport report = run_scenario(testing::small_scenario(), {});
  const Verdict* verdict = testing::verdict_of(report, "disk_recovery");
  REQUIRE(verdict != nullptr);
  CHECK(verdict->kind == VerdictKind::skipped);
  CHECK(verdict->detail.find("cluster.disk") != std::string::npos);
  CHECK_FALSE(report.disk);
}

TEST_CASE("a mirror that trusts its disk makes disk_recovery and served_bytes fire", "[sim][checkers][disk]") {
  NodeFactories factories = default_node_factories();
  factories.disk_mirror_verifies = false;
  RunReport report = run_scenario(damaged_disks_scenario(), {}, factories);
  REQUIRE(testing::fired(report, "disk_recovery"));
  CHECK(testing::violations_text(report).find("from its disk with bytes that differ from the canonical's") !=
        std::string::npos);
  CHECK(testing::fired(report, "served_bytes"));
}

TEST_CASE("a load that leaves an intact file behind makes disk_recovery fire", "[sim][checkers][disk]") {
  World world(1, LinkOptions{});
  world.add_host(1, "edge-1", [](Env&) { return std::make_unique<IdleNode>(); });
  ClusterLayout layout;
  layout.edges = {1};
  MemoryCatalog catalog;
  const Body image = make_body(std::vector<std::uint8_t>(100, 7));
  catalog.add(5, image);
  CheckOptions checks;
  std::vector<Violation> violations;
  CheckContext context{world, layout, catalog, checks, [](NodeId) { return nullptr; },
                       [&](Violation violation) { violations.push_back(std::move(violation)); }};
  std::unique_ptr<Checker> checker = make_disk_recovery_checker(context);

  DiskLoad load;
  load.files = {{disk_file_name(5, image->checksum()), image}};
  load.budget_bytes = 1000;
  checker->on_disk_load(0, 1, load);  // Nothing loaded.
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].node == "edge-1");
  CHECK(violations[0].detail.find("did not load image 5 from the intact file") != std::string::npos);

  load.loaded = {{5, image}};
  checker->on_disk_load(0, 1, load);
  CHECK(violations.size() == 1);
  load.budget_bytes = 50;  // Over budget, the cache decides what stays.
  load.loaded.clear();
  checker->on_disk_load(0, 1, load);
  CHECK(violations.size() == 1);
}
