// The `sim` command's usage text and subcommand dispatch, shared by `sim` and `sim-real`.
#include "sim/cli/dispatch.h"

#include <malloc.h>

#include <cstdio>

#include "sim/cli/commands.h"

namespace {

constexpr const char* usage = R"(usage:
  sim SCENARIO.json [--seed N] [--trace FILE] [--html FILE] [--json] [--check-determinism]
      Runs a scenario and checks it. Prints a readable summary (or, with --json, one JSON object).
      --seed N      overrides the scenario's seed (all randomness derives from it)
      --trace FILE  writes the run's trace as JSON Lines to FILE
      --html FILE   writes the run's space-time diagram to FILE (as sim view does)
      --json        prints one JSON object instead of the summary
      --check-determinism
                    runs the scenario a second time and requires the same trace hash and event count
                    (exit status 3 if they differ)
  sim replay TRACE
      Reruns the scenario and seed recorded in TRACE's header and compares the new trace with TRACE line by
      line. Exit status 0 if it reproduces, 1 at the first differing line (both lines are printed), 2 if TRACE
      is not a well-formed trace.
  sim sweep SCENARIO.json --seeds FROM..TO [--jobs N] [--json] [--swarm]
      Runs the scenario under every seed FROM..TO (inclusive) in N threads (default: one per core) and lists
      the failing seeds by the first checker they violated, each with the command that reproduces it.
      --swarm   draws a random nemesis fault mix from each seed (and drops the scenario's expectations);
                each failing seed's drawn scenario is written to sweep-failures/
      --json    prints one JSON object (progress goes to stderr)
  sim view TRACE [-o FILE.html] [--shiviz FILE.log]
      Draws a recorded trace: -o writes one self-contained HTML page with its space-time diagram (open it
      from disk in any browser; docs/viewer.md), --shiviz a log for ShiViz with a vector clock per line.
      Exit status 2 if TRACE is missing or not a well-formed trace (the error names the file and line).
  sim minimize SCENARIO.json [--seed N] -o OUT.json [--max-runs N]
      Shrinks a failing run to the smallest scenario that still fails the same checker first: the run's
      faults (the random nemesis's too) become an explicit timeline, then faults, workload length, duration,
      clients and edges are delta-debugged. Prints the sizes before and after and writes OUT.json, which
      fails by itself with ./sim OUT.json. At most N runs (default 400). Exit status 0 written, 1 the input
      run passes (nothing to minimize), 2 bad input, 3 the failure did not survive as an explicit timeline.
  sim replay-node TRACE... [--node NAME] [--json]
      Re-drives a real daemon's node (edge or canonical) from the inputs its node trace (--trace of the
      daemon) recorded, with the recorded clock and random seed, and compares every send and timer it makes
      with the recorded outputs. With several files (a run's trace directory), replays every edge and
      canonical trace, or with --node only those of NAME. Exit status 0 reproduced, 1 at the first divergence
      (its line, recorded and replayed), 2 if a file is not a node trace or holds no core node.
  sim check TRACE... [--scenario FILE] [--json]
      Merges a real run's node traces (daemons, their restarts, the load client, the fault controller) in
      causal order, replays the nodes, and runs the simulator's checkers and the scenario's expectations over
      the run (the scenario: --scenario, else the controller's header, else defaults). Prints the summary
      ./sim SCENARIO prints. Exit status 0 all held, 1 a violation, 2 bad input. See docs/real-traces.md.
  sim real SCENARIO.json [--seed N] [--work-dir DIR] [--json]      (also: sim SCENARIO.json --real)
      Runs the scenario against a real cluster: the daemons as local processes (as root each in a network
      namespace of its own, else on loopback), the load client driving the workload, and the fault timeline
      done for real (crash: kill -9, restart: a new process, pause/resume: SIGSTOP/SIGCONT; faults that
      cannot be done for real are reported, never skipped silently). Then judges the real run with sim check
      and prints its verdict beside the simulator's. `sim` hands this command to sim-real, built beside it.
      --work-dir DIR       where images, traces and logs go (default: a new directory under /tmp)
      --bin-dir DIR        where edgecache-server, -client and -gen-images are (default: net/ beside sim)
      --network NET        netns (a network namespace per daemon, so partitions, isolations and cuts are
                           iptables rules; needs root), loopback (no link faults), docker (containers of the
                           edgecache image, EDGECACHE_IMAGE or edgecache:local, on Docker networks; crash is
                           docker kill, pause docker pause, a partition moves containers between networks),
                           or auto (default: netns when possible, else loopback)
      --base-port P        loopback: first of the ports to use (default: a free block is found)
      --max-image-bytes N  caps generated image sizes (default 65536), which keeps node traces small
      Exit status 0 the real run passed its checks, 1 it failed one, 2 bad input, 4 the cluster did not start.
  sim from-trace TRACE... -o SCENARIO.json
      Turns a real run's node traces into a scenario: cluster size and edge settings from the daemons'
      headers, catalog from the canonical's, workload (rate, window, popularity, size fraction) from the
      client's, and faults from the controller's log or, without one, from what the traces show (a trace that
      stops without a summary is a crash, a later incarnation a restart). Explore it with sim sweep.
  sim bench [--case NAME]
      Runs the standard benchmarks and prints events/s, simulated seconds per wall second and peak memory.
      Cases: standard, standard_traced, hour, edges_100, million_requests (default: all, each in its own
      process so each peak memory is its own).
  sim --help

exit status: 0 every check held; 1 a check or expectation failed (replay: the trace diverged; sweep: a seed
             failed); 2 bad input or usage; 3 a run did not reproduce its own trace (a simulator bug).
The scenario format is documented in docs/scenarios.md.
)";

}  // namespace

namespace edgecache::sim {

int dispatch_sim_command(const std::vector<std::string>& args, RealRunCommand real_run) {
  // Image bodies of up to a few MiB are allocated and freed all the time. Above glibc's default threshold
  // each would be a fresh mmap whose pages fault in and are zeroed by the kernel; served from the heap,
  // they reuse warm memory. (Measured: about a third of the standard benchmark's time went to page faults.)
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  if (args.empty()) {
    std::fputs(usage, stderr);
    return exit_bad_input;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(usage, stdout);
    return exit_passed;
  }
  if (args[0] == "bench") return bench_command({args.begin() + 1, args.end()});
  if (args[0] == "replay") return replay_command({args.begin() + 1, args.end()});
  if (args[0] == "sweep") return sweep_command({args.begin() + 1, args.end()});
  if (args[0] == "minimize") return minimize_command({args.begin() + 1, args.end()});
  if (args[0] == "replay-node") return replay_node_command({args.begin() + 1, args.end()});
  if (args[0] == "check") return check_command({args.begin() + 1, args.end()});
  if (args[0] == "from-trace") return from_trace_command({args.begin() + 1, args.end()});
  if (args[0] == "view") return view_command({args.begin() + 1, args.end()});
  if (args[0] == "real") return real_run({args.begin() + 1, args.end()});
  for (const std::string& arg : args) {
    if (arg == "--real") return real_run(args);
  }
  return run_command(args);
}

}  // namespace edgecache::sim
