#pragma once
// The `sim` command's subcommands. Each takes the arguments after its name and returns the process exit
// status: 0 all checks held, 1 a check or expectation failed, 2 bad input or usage, 3 the simulator itself
// misbehaved (a run that did not reproduce its own trace hash).

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "sim/trace/text_file.h"

namespace edgecache::sim {

constexpr int exit_passed = 0;
constexpr int exit_check_failed = 1;
constexpr int exit_bad_input = 2;
constexpr int exit_nondeterministic = 3;

int run_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
// `sim replay TRACE`: reruns a recorded trace's scenario and seed and compares the traces line by line.
// Returns 0 if they are identical, 1 at the first differing line, 2 if the file is not a well-formed trace.
int replay_command(const std::vector<std::string>& args);
// `sim sweep SCENARIO --seeds A..B`: runs a range of seeds in parallel and reports the failing ones grouped by
// the first checker they violated. Returns 0 if every seed passed, 1 if any failed, 2 for bad input.
int sweep_command(const std::vector<std::string>& args);
// `sim minimize SCENARIO [--seed N] -o OUT`: turns a failing run's faults (the nemesis's included) into an
// explicit timeline and delta-debugs faults, workload length, clients and edges down to the smallest scenario
// whose earliest violation comes from the same checker; writes it to OUT. Returns 0 when OUT is written, 1 if
// the input run passes (nothing to minimize), 2 for bad input, 3 if the explicit timeline or the written
// scenario does not reproduce the failure.
int minimize_command(const std::vector<std::string>& args);
// `sim view TRACE -o FILE.html [--shiviz FILE.log]`: writes the trace's viewer page and/or its ShiViz export.
// Returns 0 once written, 2 if the trace is unreadable or malformed (the error names the file and line).
int view_command(const std::vector<std::string>& args);
// What `sim view` and `sim SCENARIO --html` share: reads the trace at `trace_path` and writes the viewer page
// to `html_path` and the ShiViz export to `shiviz_path`, each unless its path is empty. Prints the reason and
// returns 2 on failure, 0 on success.
int write_trace_views(const std::string& trace_path, const std::string& html_path, const std::string& shiviz_path);

// `sim replay-node TRACE... [--node NAME] [--json]`: re-drives each edge or canonical node trace's node from
// its recorded inputs and compares its outputs with the recorded ones (docs/real-traces.md). Returns 0 if
// every trace reproduced, 1 at a divergence (the line, the recorded and the replayed output are printed),
// 2 if a file is not a well-formed node trace (file:line and the reason) or holds no core node.
int replay_node_command(const std::vector<std::string>& args);
// `sim check TRACE... [--scenario FILE] [--json]`: merges the node traces of a real run in causal order,
// replays the nodes, and runs the simulator's checkers and the scenario's expectations over them. Returns 0
// if every check held, 1 on a violation, 2 for bad input.
int check_command(const std::vector<std::string>& args);
// `sim from-trace TRACE... -o SCENARIO.json`: turns a real run's node traces into a scenario (cluster, catalog,
// workload and faults as observed; sim/recorded/trace_to_scenario.h), writes it and prints what was inferred. Returns 0
// once written, 2 for bad input (an unreadable trace, no edge trace, no -o, an unwritable output).
int from_trace_command(const std::vector<std::string>& args);

// Reads and validates a scenario file. On failure prints "PATH: field: reason" to stderr and returns nothing.
std::optional<Scenario> load_scenario_file(const std::string& path);

// Returns the value that follows the flag args[index] and advances index past it; if there is none, prints
// "FLAG: missing value" to stderr and returns nothing.
std::optional<std::string> flag_value(const std::vector<std::string>& args, std::size_t& index);

// Parses an unsigned integer flag value; on failure prints "FLAG: reason" to stderr and returns nothing.
std::optional<std::uint64_t> parse_unsigned_flag(const std::string& flag, const std::string& value);

// `sim real SCENARIO` (or `sim SCENARIO --real`): runs the scenario against a real cluster of local processes,
// judges it from the node traces with `sim check`, and prints that verdict beside the simulator's. Returns 0
// if the real run passed, 1 if it failed a check, 2 for bad input, 4 if the cluster did not start.
int real_run_command(const std::vector<std::string>& args);

}  // namespace edgecache::sim
