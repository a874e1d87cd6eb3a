#pragma once
// The `sim` command's dispatcher: the usage text and the choice of subcommand. Two binaries share it: `sim`,
// the simulator alone, and `sim-real`, which adds `sim real` (real daemons, so Boost and sockets). `sim`
// hands `sim real` to `sim-real` beside it.

#include <string>
#include <vector>

namespace edgecache::sim {

// Runs `sim real` with the arguments after `real` (or, for `sim SCENARIO --real`, all of them).
using RealRunCommand = int (*)(const std::vector<std::string>& args);

// Runs the subcommand `args` names (everything after the program name) and returns the process exit status.
// `real_run` runs `sim real`.
int dispatch_sim_command(const std::vector<std::string>& args, RealRunCommand real_run);

}  // namespace edgecache::sim
