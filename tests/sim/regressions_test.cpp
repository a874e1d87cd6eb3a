// The classic protocol's failures, kept as regression scenarios. A swarm sweep over the classic copies of
// leader_crash and partition_heal (scenarios/classic/) found each, and `sim minimize` reduced it to at most
// three faults (docs/testing.md, "The classic protocol campaign"). Each file runs as written, with the
// classic protocol, and must fail first with the checker named here; the same file with the default protocol
// must pass every check, which is the point of the default protocol's heartbeats, step-down and
// reconciliation. (scenarios_test.cpp also runs every regression with the default protocol.)

#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/scenario.h"
#include "tests/sim/checkers/checker_test_support.h"
#include "tests/sim/scenario_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

namespace fs = std::filesystem;
using testing::first_checker;
using testing::load;
const fs::path regression_dir = fs::path(EDGECACHE_SOURCE_DIR) / "scenarios" / "regressions";

// The bound on a minimized classic failure.
constexpr std::size_t max_minimized_faults = 3;

struct ClassicRegression {
  const char* file;
  const char* checker;  // The checker of the earliest violation with the classic protocol.
};

const ClassicRegression classic_regressions[] = {
    {"classic_two_leaders_after_partition_heal.json", "single_leader"},
    {"classic_images_never_replicated_after_leader_crash.json", "replication_complete"},
};

}  // namespace

TEST_CASE("classic regressions: the original protocol fails each with its checker", "[sim][regressions]") {
  for (const ClassicRegression& regression : classic_regressions) {
    Scenario scenario = load(regression_dir / regression.file);
    REQUIRE(scenario.protocol == Protocol::classic);
    CHECK(scenario.faults.size() <= max_minimized_faults);
    CHECK(!scenario.nemesis.enabled);
    RunReport report = run_scenario(scenario, {});
    INFO(regression.file << "\n" << testing::violations_text(report));
    CHECK(first_checker(report) == std::string(regression.checker));
    // Deterministic: the failure is the same run every time, so a second run gives the same trace.
    CHECK(run_scenario(scenario, {}).trace_hash == report.trace_hash);
  }
}

TEST_CASE("classic regressions: the default protocol passes each", "[sim][regressions]") {
  for (const ClassicRegression& regression : classic_regressions) {
    Scenario scenario = load(regression_dir / regression.file);
    scenario.protocol = Protocol::standard;
    RunReport report = run_scenario(scenario, {});
    INFO(regression.file << "\n" << testing::violations_text(report));
    CHECK(report.passed());
    CHECK(testing::held(report, regression.checker));
  }
}
