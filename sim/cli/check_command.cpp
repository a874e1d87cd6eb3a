// `sim check TRACE... [--scenario FILE] [--json]`: judges a real run from its node traces with the
// simulator's checkers (sim/recorded/trace_check.h) and prints the summary a simulated run prints.

#include <cstdio>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/cli/trace_command_arguments.h"
#include "sim/trace/node_trace.h"
#include "sim/recorded/trace_check.h"
#include "sim/report.h"

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
  std::optional<TraceCommandArguments> parsed = parse_trace_command_arguments("check", args, {"--scenario"}, {"--json"});
  if (!parsed) return exit_bad_input;
  const std::vector<std::string>& paths = parsed->paths;
  const std::string scenario_path = parsed->values.count("--scenario") ? parsed->values["--scenario"] : "";
  const bool json = parsed->switches.count("--json") != 0;
  // The command that repeats this check, for a failing run's summary.
  std::string command = "./sim check";
  for (const std::string& arg : args) {
    if (arg != "--json") command += " " + arg;
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
