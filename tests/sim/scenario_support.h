#pragma once
// Shared by the tests that write scenarios to files, read them back with the `sim` command's own loader, and
// judge runs by the checker they fail.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "sim/cluster.h"
#include "sim/scenario.h"

namespace edgecache::sim::testing {

// Writes `scenario` as the JSON a user would write, so the file goes through the same loader as theirs.
inline void write_scenario(const std::filesystem::path& path, const Scenario& scenario) {
  std::ofstream(path, std::ios::binary) << scenario_to_json(scenario).dump(2) << "\n";
}

// Loads with the `sim` command's own loader, which prints the file's first error to stderr; the test stops
// if the file does not load.
inline Scenario load(const std::filesystem::path& path) {
  std::optional<Scenario> scenario = load_scenario_file(path.string());
  REQUIRE(scenario);
  return *scenario;
}

// The checker a run fails (that of its earliest violation, as minimize and sweep define it), or nothing.
inline std::optional<std::string> first_checker(const RunReport& report) {
  const Violation* first = report.earliest_violation();
  if (first == nullptr) return std::nullopt;
  return first->checker;
}

}  // namespace edgecache::sim::testing
