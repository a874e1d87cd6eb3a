#pragma once
// The `sim` command's subcommands. Each takes the arguments after its name and returns the process exit
// status: 0 all checks held, 1 a check or expectation failed, 2 bad input or usage, 3 the simulator itself
// misbehaved (a run that did not reproduce its own trace hash).

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.h"

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

// Reads and validates a scenario file. On failure prints "PATH: field: reason" to stderr and returns nothing.
std::optional<Scenario> load_scenario_file(const std::string& path);

// Returns the value that follows the flag args[index] and advances index past it; if there is none, prints
// "FLAG: missing value" to stderr and returns nothing.
std::optional<std::string> flag_value(const std::vector<std::string>& args, std::size_t& index);

// Parses an unsigned integer flag value; on failure prints "FLAG: reason" to stderr and returns nothing.
std::optional<std::uint64_t> parse_unsigned_flag(const std::string& flag, const std::string& value);

}  // namespace edgecache::sim
