// The `sim` command: runs scenarios in the deterministic simulator, and benchmarks it.

#include <cstdio>
#include <string>
#include <vector>

#include "sim/commands.h"

namespace {

constexpr const char* usage = R"(usage:
  sim SCENARIO.json [--seed N] [--trace FILE] [--json]
      Runs a scenario and checks it. Prints a readable summary (or, with --json, one JSON object).
      --seed N      overrides the scenario's seed (all randomness derives from it)
      --trace FILE  writes the run's trace as JSON Lines to FILE
      --json        prints one JSON object instead of the summary
  sim bench [--case NAME]
      Runs the standard benchmarks and prints events/s, simulated seconds per wall second and peak memory.
      Cases: standard, standard_traced, hour, edges_100, million_requests (default: all, each in its own
      process so each peak memory is its own).
  sim --help

exit status: 0 every check held; 1 a check or expectation failed; 2 bad input or usage;
             3 a run did not reproduce its own trace (a simulator bug).
The scenario format is documented in docs/scenarios.md.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(usage, stderr);
    return edgecache::sim::exit_bad_input;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(usage, stdout);
    return edgecache::sim::exit_passed;
  }
  if (args[0] == "bench") return edgecache::sim::bench_command({args.begin() + 1, args.end()});
  return edgecache::sim::run_command(args);
}
