// `sim replay-node TRACE... [--node NAME] [--json]`: re-drives each recorded edge or canonical incarnation
// from its node trace and reports, per incarnation, that it reproduced every recorded output or the first
// line where it did something else. Several files may be given (a run's whole trace directory); --node keeps
// those of one node, every incarnation of it.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/cli/trace_command_arguments.h"
#include "sim/recorded/node_replay.h"
#include "sim/trace/node_trace.h"

namespace edgecache::sim {

namespace {

bool replayable(NodeRole role) { return role == NodeRole::edge || role == NodeRole::canonical; }

std::string reproduced_text(const NodeTrace& trace, const NodeReplayResult& result) {
  std::string text = trace.header.node + ": " + std::to_string(result.inputs) + " inputs, " +
                     std::to_string(result.outputs) + " outputs reproduced";
  if (!trace.summary) text += " (the trace ends without a summary line: the process died; its last outputs are unknown)";
  return text;
}

}  // namespace

int replay_node_command(const std::vector<std::string>& args) {
  std::optional<TraceCommandArguments> parsed = parse_trace_command_arguments("replay-node", args, {"--node"}, {"--json"});
  if (!parsed) return exit_bad_input;
  const std::vector<std::string>& paths = parsed->paths;
  const std::string node = parsed->values.count("--node") ? parsed->values["--node"] : "";
  const bool json = parsed->switches.count("--json") != 0;

  std::optional<std::vector<NodeTrace>> read = read_node_traces(paths);
  if (!read) return exit_bad_input;
  std::vector<NodeTrace> traces;
  for (NodeTrace& trace : *read) {
    if (!node.empty() && trace.header.node != node) continue;
    if (!replayable(trace.header.role)) {
      // A directory's client and controller traces are passed over; named on their own, they are a mistake.
      if (paths.size() > 1) continue;
      std::fprintf(stderr, "%s: %s is a %s trace, not a core node; nothing to replay\n", trace.path.c_str(),
                   trace.header.node.c_str(), node_role_name(trace.header.role));
      return exit_bad_input;
    }
    traces.push_back(std::move(trace));
  }
  if (traces.empty()) {
    std::fprintf(stderr, "replay-node: no edge or canonical trace%s among the files given\n",
                 node.empty() ? "" : (" of node " + node).c_str());
    return exit_bad_input;
  }
  // Incarnations of one node in the order they ran, so the report reads as the node's history.
  std::stable_sort(traces.begin(), traces.end(), [](const NodeTrace& a, const NodeTrace& b) {
    return a.header.node != b.header.node ? a.header.node < b.header.node : a.header.wall_us < b.header.wall_us;
  });

  int status = exit_passed;
  nlohmann::json report = nlohmann::json::array();
  for (const NodeTrace& trace : traces) {
    NodeReplayResult result = replay_node_trace(trace);
    nlohmann::json entry = {{"path", trace.path},
                            {"node", trace.header.node},
                            {"role", node_role_name(trace.header.role)},
                            {"inputs", result.inputs},
                            {"outputs", result.outputs},
                            {"complete", trace.summary.has_value()}};
    if (!result.problem) {
      entry["result"] = "reproduced";
      if (!json) std::cout << reproduced_text(trace, result) << "\n";
    } else if (result.problem->kind == ReplayProblem::Kind::bad_input) {
      const NodeTraceError error{trace.path, result.problem->line, result.problem->actual};
      entry["result"] = "bad_input";
      entry["line"] = result.problem->line;
      entry["reason"] = result.problem->actual;
      std::fprintf(stderr, "%s\n", error.message().c_str());
      status = std::max(status, exit_bad_input);
    } else {
      entry["result"] = "diverged";
      entry["line"] = result.problem->line;
      entry["expected"] = result.problem->expected;
      entry["actual"] = result.problem->actual;
      if (!json) {
        std::cout << trace.header.node << ": diverges at " << trace.path << ":" << result.problem->line << " after "
                  << result.inputs << " inputs and " << result.outputs << " matching outputs\n"
                  << "  recorded: " << result.problem->expected << "\n"
                  << "  replayed: " << result.problem->actual << "\n";
      }
      status = std::max(status, exit_check_failed);
    }
    report.push_back(entry);
  }
  if (json) {
    std::cout << nlohmann::json{{"reproduced", status == exit_passed}, {"traces", report}}.dump() << "\n";
  }
  return status;
}

}  // namespace edgecache::sim
