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

// Reads and validates a scenario file. On failure prints "PATH: field: reason" to stderr and returns nothing.
std::optional<Scenario> load_scenario_file(const std::string& path);

// Parses an unsigned integer flag value; on failure prints "FLAG: reason" to stderr and returns nothing.
std::optional<std::uint64_t> parse_unsigned_flag(const std::string& flag, const std::string& value);

}  // namespace edgecache::sim
