// Determinism (after madsim's check and FoundationDB's reruns): the same scenario and seed give the same
// trace hash and the same trace bytes, whether or not the trace is written; a different seed gives a
// different trace. A lossy scenario with faults is used so that every random stream is exercised.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/scenario.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

namespace fs = std::filesystem;

Scenario busy_scenario() {
  std::optional<Scenario> loaded = load_scenario_file((fs::path(EDGECACHE_SOURCE_DIR) / "scenarios" / "flaky_network.json").string());
  REQUIRE(loaded);
  Scenario scenario = *loaded;
  scenario.nemesis.enabled = true;
  scenario.nemesis.start_ms = 1000;
  scenario.nemesis.stop_ms = 12000;
  scenario.nemesis.crash_probability = 0.2;
  scenario.nemesis.pause_probability = 0.2;
  scenario.nemesis.partition_probability = 0.2;
  scenario.nemesis.clock_probability = 0.2;
  return scenario;
}

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("the same seed gives the same trace, byte for byte", "[sim][determinism]") {
  Scenario scenario = busy_scenario();
  // Named by process id, so suites running side by side (two build directories) never share a file.
  std::string pid = std::to_string(getpid());
  fs::path first = fs::temp_directory_path() / ("determinism_first_" + pid + ".jsonl");
  fs::path second = fs::temp_directory_path() / ("determinism_second_" + pid + ".jsonl");
  RunOptions options;
  options.trace_path = first.string();
  RunReport a = run_scenario(scenario, options);
  options.trace_path = second.string();
  RunReport b = run_scenario(scenario, options);
  RunReport untraced = run_scenario(scenario, {});

  CHECK(a.trace_hash == b.trace_hash);
  CHECK(a.trace_hash == untraced.trace_hash);
  CHECK(a.events == b.events);
  CHECK(a.faults.size() > 2);
  std::string first_bytes = read_file(first);
  CHECK(first_bytes.size() > 100'000);
  CHECK(first_bytes == read_file(second));
  fs::remove(first);
  fs::remove(second);
}

TEST_CASE("different seeds give different traces", "[sim][determinism]") {
  Scenario scenario = busy_scenario();
  RunOptions seven;
  seven.seed = 7;
  RunOptions eight;
  eight.seed = 8;
  RunReport a = run_scenario(scenario, seven);
  RunReport b = run_scenario(scenario, eight);
  CHECK(a.seed == 7);
  CHECK(b.seed == 8);
  CHECK(a.trace_hash != b.trace_hash);
}

TEST_CASE("a shared, precomputed catalog changes nothing, and the catalog has a seed of its own", "[sim][determinism]") {
  Scenario scenario = busy_scenario();
  auto shared = std::make_shared<SyntheticCatalog>(catalog_options(scenario));
  // In two halves, as a sweep's threads compute them.
  shared->compute_checksums(0, shared->image_count() / 2);
  shared->compute_checksums(shared->image_count() / 2, shared->image_count());
  RunOptions with_shared;
  with_shared.catalog = shared;
  const RunReport own = run_scenario(scenario, {});
  const RunReport borrowed = run_scenario(scenario, with_shared);
  CHECK(own.trace_hash == borrowed.trace_hash);
  CHECK(own.events == borrowed.events);

  // Another run seed meets the same catalog, so the shared one still fits it; another catalog seed does not.
  with_shared.seed = scenario.seed + 1;
  CHECK(run_scenario(scenario, with_shared).trace_hash != own.trace_hash);
  Scenario other_images = scenario;
  other_images.catalog.seed = scenario.catalog.seed + 1;
  CHECK(catalog_options(other_images) != catalog_options(scenario));
  CHECK(run_scenario(other_images, {}).trace_hash != own.trace_hash);
}
