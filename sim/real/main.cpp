// The `sim-real` command: every `sim` subcommand plus `sim real`, which runs a scenario against real daemons.
// `sim real ...` execs this binary; it can also be run directly.
#include <string>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/cli/dispatch.h"

int main(int argc, char** argv) {
  return edgecache::sim::dispatch_sim_command({argv + 1, argv + argc}, edgecache::sim::real_run_command);
}
