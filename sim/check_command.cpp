// `sim check TRACE... [--scenario FILE] [--json]`: judges a real run from its node traces with the
// simulator's checkers (sim/trace_check.h) and prints the summary a simulated run prints.

#include <cstdio>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/commands.h"
#include "sim/node_trace.h"
#include "sim/report.h"
#include "sim/trace_check.h"

namespace edgecache::sim {

namespace {

// The scenario whose checks and expectations apply: the file given, else the one the fault controller
// recorded in its header, else the defaults (every checker, no expectations).
std::optional<Scenario> choose_scenario(const std::string& scenario_path, const std::vector<NodeTrace>& traces) {
  if (!scenario_path.empty()) return load_scenario_file(scenario_path);
  for (const NodeTrace& trace : traces) {
    if (trace.header.role != NodeRole::controller || !trace.header.json.contains("scenario")) continue;
    ScenarioResult loaded = parse_scenario(trace.header.json["scenario"].dump());
    if (loaded.error) {
      ScenarioError error = *loaded.error;
      error.path = error.path.empty() ? "scenario" : "scenario." + error.path;
      std::fprintf(stderr, "%s:1: header: %s\n", trace.path.c_str(), error.message().c_str());
      return std::nullopt;
    }
    return loaded.scenario;
  }
  Scenario defaults;
  defaults.name = "real-run";
  return defaults;
}

}  // namespace

int check_command(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  std::string scenario_path;
  bool json = false;
  std::string command = "./sim check";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg != "--json") command += " " + arg;
    if (arg == "--scenario") {
      auto value = flag_value(args, i);
      if (!value) return exit_bad_input;
      scenario_path = *value;
      command += " " + *value;
    } else if (arg == "--json") {
      json = true;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "%s: unknown option (see sim --help)\n", arg.c_str());
      return exit_bad_input;
    } else {
      paths.push_back(arg);
    }
  }
  if (paths.empty()) {
    std::fprintf(stderr, "check: no trace given (see sim --help)\n");
    return exit_bad_input;
  }
  std::optional<std::vector<NodeTrace>> read = read_node_traces(paths);
  if (!read) return exit_bad_input;
  std::vector<NodeTrace>& traces = *read;
  std::optional<Scenario> scenario = choose_scenario(scenario_path, traces);
  if (!scenario) return exit_bad_input;

  TraceCheckResult result = check_node_traces(traces, *scenario);
  if (result.error) {
    std::fprintf(stderr, "%s\n", result.error->message().c_str());
    return exit_bad_input;
  }
  const std::string described = std::to_string(traces.size()) + " node trace" + (traces.size() == 1 ? "" : "s");
  if (json) {
    nlohmann::json out = report_to_json(result.report, described, command);
    out["traces"] = paths;
    out["merge"] = {{"sends_missing", result.sends_missing}, {"forced", result.forced}};
    std::cout << out.dump() << "\n";
  } else {
    std::cout << format_summary(result.report, described, command);
    if (result.sends_missing > 0 || result.forced > 0) {
      std::cout << "merge     " << result.sends_missing << " receipts whose send no trace records, " << result.forced
                << " placed against a causal cycle\n";
    }
  }
  return result.report.passed() ? exit_passed : exit_check_failed;
}

}  // namespace edgecache::sim
