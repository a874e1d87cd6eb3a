// `sim bench`: the simulator's performance figures. Each case runs in a child process of its own so its
// peak resident memory is its own. Figures are printed, never asserted: the machines are shared and noisy.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>

#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/trace/trace.h"

namespace edgecache::sim {

namespace {

// The standard workload of the issue: 3 edges, Zipf 1.0 over 10,000 images, 1,000 requests/s, 10 simulated
// minutes, no faults, trace off.
Scenario standard_scenario() {
  Scenario scenario;
  scenario.name = "bench";
  scenario.seed = 1;
  scenario.duration_ms = 600'000;
  scenario.cluster.edges = 3;
  scenario.cluster.clients = 4;
  scenario.catalog.images = 10'000;
  scenario.network.latency_distribution = LatencyDistribution::lognormal;
  scenario.network.latency_ms_mean = 1.0;
  scenario.network.latency_ms_stddev = 0.3;
  scenario.network.bandwidth_bytes_per_ms = 125'000;  // 1 Gbit/s.
  scenario.workload.rate_per_s = 1000;
  scenario.workload.stop_ms = 600'000;
  scenario.workload.popularity = Popularity::zipf;
  scenario.workload.zipf_s = 1.0;
  scenario.checks.quiet_period_ms = 0;
  return scenario;
}

struct BenchCase {
  const char* description;
  std::function<Scenario()> scenario;
  bool traced;
};

std::map<std::string, BenchCase> bench_cases() {
  std::map<std::string, BenchCase> cases;
  cases["standard"] = {"3 edges, Zipf 1.0 over 10,000 images, 1,000 req/s, 10 min, trace off", standard_scenario, false};
  cases["standard_traced"] = {"the standard workload with the trace written to a file", standard_scenario, true};
  cases["hour"] = {"the standard workload for a simulated hour (memory must stay flat)", [] {
                     Scenario scenario = standard_scenario();
                     scenario.duration_ms = scenario.workload.stop_ms = 3'600'000;
                     return scenario;
                   }, false};
  cases["edges_100"] = {"100 edges, the standard workload, 10 min", [] {
                          Scenario scenario = standard_scenario();
                          scenario.cluster.edges = 100;
                          return scenario;
                        }, false};
  cases["million_requests"] = {"1,000,000 requests at 1,000 req/s over 3 edges", [] {
                                 Scenario scenario = standard_scenario();
                                 scenario.duration_ms = scenario.workload.stop_ms = 1'000'000;
                                 scenario.workload.max_requests = 1'000'000;
                                 return scenario;
                               }, false};
  return cases;
}

const char* bench_order[] = {"standard", "standard_traced", "hour", "edges_100", "million_requests"};

int run_case(const std::string& name, const BenchCase& bench) {
  Scenario scenario = bench.scenario();
  RunOptions options;
  std::string trace_path;
  if (bench.traced) {
    trace_path = "/tmp/sim-bench-" + std::to_string(getpid()) + ".jsonl";
    options.trace_path = trace_path;
  }
  auto start = std::chrono::steady_clock::now();
  RunReport report = run_scenario(scenario, options);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  double sim_seconds = static_cast<double>(report.sim_time_us) / 1e6;
  // CPU time beside wall time: on a shared machine the wall clock also counts time spent waiting for a core,
  // and events per CPU second is the figure that does not depend on what else is running.
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("%-17s %10.0f events/s  %8.0fx real time  %9llu events  %8llu requests  %6.2f s wall  %6.2f s cpu "
              "(%.0f events/cpu-s)  peak %6.1f MiB  %s%s\n",
              name.c_str(), static_cast<double>(report.events) / wall, sim_seconds / wall,
              static_cast<unsigned long long>(report.events), static_cast<unsigned long long>(report.total_requests()),
              wall, cpu, static_cast<double>(report.events) / cpu, static_cast<double>(usage.ru_maxrss) / 1024.0,
              report.passed() ? "checks held" : "CHECKS FAILED",
              bench.traced ? (", trace " + std::to_string(report.trace_lines) + " lines").c_str() : "");
  std::fflush(stdout);
  if (!trace_path.empty()) unlink(trace_path.c_str());
  return report.passed() ? exit_passed : exit_check_failed;
}

}  // namespace

int bench_command(const std::vector<std::string>& args) {
  std::map<std::string, BenchCase> cases = bench_cases();
  std::vector<std::string> selected;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--case" && i + 1 < args.size()) {
      if (cases.count(args[i + 1]) == 0) {
        std::fprintf(stderr, "--case: unknown case '%s'; cases: standard standard_traced hour edges_100 million_requests\n",
                     args[i + 1].c_str());
        return exit_bad_input;
      }
      selected.push_back(args[++i]);
    } else {
      std::fprintf(stderr, "%s: unknown bench option (see sim --help)\n", args[i].c_str());
      return exit_bad_input;
    }
  }
  if (selected.empty()) selected.assign(std::begin(bench_order), std::end(bench_order));
  if (selected.size() == 1) return run_case(selected[0], cases[selected[0]]);

  std::printf("sim bench: one core, each case in its own process\n");
  for (const std::string& name : selected) std::printf("  %-17s %s\n", name.c_str(), cases[name].description);
  std::fflush(stdout);
  int status = exit_passed;
  for (const std::string& name : selected) {
    pid_t child = fork();
    if (child == 0) std::_Exit(run_case(name, cases[name]));
    int child_status = 0;
    waitpid(child, &child_status, 0);
    if (!WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0) status = exit_check_failed;
  }
  return status;
}

}  // namespace edgecache::sim
