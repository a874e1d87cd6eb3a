// `sim from-trace TRACE... -o SCENARIO.json`: writes a real run's node traces as a scenario
// (sim/recorded/trace_to_scenario.h) and prints what it inferred.

#include <cstdio>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/cli/trace_command_arguments.h"
#include "sim/recorded/trace_to_scenario.h"
#include "sim/trace/node_trace.h"

namespace edgecache::sim {

namespace {

// Faults beyond this many are counted rather than listed, so a nemesis run's summary stays readable.
constexpr std::size_t max_faults_listed = 12;

std::string describe_fault(const Fault& fault) {
  std::string text = std::to_string(fault.at_ms) + " ms " + fault_kind_name(fault.kind);
  if (!fault.node.empty()) text += " " + fault.node;
  if (!fault.from.empty()) text += " " + fault.from + "->" + fault.to;
  return text;
}

void print_summary(const TraceScenario& made, std::size_t trace_count, const std::string& output) {
  const Scenario& scenario = made.scenario;
  const WorkloadOptions& workload = scenario.workload;
  std::printf("wrote %s from %zu node traces (time 0: %s)\n", output.c_str(), trace_count, made.time_zero_source.c_str());
  std::printf("cluster   %u edges, %u client%s, %s protocol, cache budget %llu bytes, restart keeps cache: %s\n",
              scenario.cluster.edges, scenario.cluster.clients, scenario.cluster.clients == 1 ? "" : "s",
              protocol_name(scenario.protocol), static_cast<unsigned long long>(scenario.cluster.cache_budget_bytes),
              scenario.cluster.restart_keeps_cache ? "yes" : "no");
  std::printf("catalog   %llu images, %llu..%llu bytes, median %llu\n",
              static_cast<unsigned long long>(scenario.catalog.images),
              static_cast<unsigned long long>(scenario.catalog.min_size_bytes),
              static_cast<unsigned long long>(scenario.catalog.max_size_bytes),
              static_cast<unsigned long long>(scenario.catalog.median_size_bytes));
  if (workload.rate_per_s > 0) {
    char popularity[32] = "uniform";
    if (workload.popularity == Popularity::zipf) std::snprintf(popularity, sizeof popularity, "zipf s=%.2f", workload.zipf_s);
    std::printf("workload  %llu requests over %lld..%lld ms (%.1f/s), %s, get_size %.1f%%\n",
                static_cast<unsigned long long>(workload.max_requests), static_cast<long long>(workload.start_ms),
                static_cast<long long>(workload.stop_ms), workload.rate_per_s, popularity,
                workload.get_size_fraction * 100.0);
  } else {
    std::printf("workload  none\n");
  }
  std::printf("faults    %zu\n", scenario.faults.size());
  for (std::size_t i = 0; i < scenario.faults.size() && i < max_faults_listed; ++i) {
    std::printf("          %s\n", describe_fault(scenario.faults[i]).c_str());
  }
  if (scenario.faults.size() > max_faults_listed) std::printf("          ... and %zu more\n", scenario.faults.size() - max_faults_listed);
  std::printf("duration  %lld ms\n", static_cast<long long>(scenario.duration_ms));
  std::printf("explore   ./sim sweep %s --seeds 1..100\n", output.c_str());
}

}  // namespace

int from_trace_command(const std::vector<std::string>& args) {
  std::optional<TraceCommandArguments> parsed = parse_trace_command_arguments("from-trace", args, {"-o", "--output"}, {});
  if (!parsed) return exit_bad_input;
  const std::vector<std::string>& paths = parsed->paths;
  std::string output = parsed->values.count("-o") ? parsed->values["-o"] : "";
  if (parsed->values.count("--output")) output = parsed->values["--output"];
  if (output.empty()) {
    std::fprintf(stderr, "from-trace: missing -o SCENARIO.json\n");
    return exit_bad_input;
  }
  std::optional<std::vector<NodeTrace>> read = read_node_traces(paths);
  if (!read) return exit_bad_input;
  std::vector<NodeTrace>& traces = *read;
  auto made = trace_to_scenario(traces);
  if (auto* error = std::get_if<TraceScenarioError>(&made)) {
    std::fprintf(stderr, "from-trace: %s\n", error->message.c_str());
    return exit_bad_input;
  }
  const TraceScenario& result = std::get<TraceScenario>(made);
  for (const std::string& note : result.notes) std::fprintf(stderr, "note: %s\n", note.c_str());

  if (!write_text_file(output, scenario_to_json(result.scenario).dump(2) + "\n")) {
    std::fprintf(stderr, "%s: cannot write the scenario\n", output.c_str());
    return exit_bad_input;
  }
  print_summary(result, traces.size(), output);
  return exit_passed;
}

}  // namespace edgecache::sim
