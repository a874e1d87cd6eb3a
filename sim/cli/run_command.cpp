// `sim SCENARIO`: load, run, report. A failing run without --trace is run again with the trace written, so
// the user always learns where a failure's trace is; the rerun's hash must match the first run's, which
// doubles as a determinism check.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/parse_number.h"
#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/report.h"
#include "sim/trace/trace.h"

namespace edgecache::sim {

std::optional<Scenario> load_scenario_file(const std::string& path) {
  std::optional<std::string> text = read_text_file(path);
  if (!text) {
    std::fprintf(stderr, "%s: cannot read scenario file\n", path.c_str());
    return std::nullopt;
  }
  ScenarioResult result = parse_scenario(*text);
  if (result.error) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), result.error->message().c_str());
    return std::nullopt;
  }
  return std::move(result.scenario);
}

std::optional<std::uint64_t> parse_unsigned_flag(const std::string& flag, const std::string& value) {
  const std::optional<std::uint64_t> number = value.size() <= 19 ? parse_decimal(value) : std::nullopt;
  if (!number) {
    std::fprintf(stderr, "%s: expected a non-negative integer below 10^19, got '%s'\n", flag.c_str(), value.c_str());
  }
  return number;
}

std::optional<std::string> flag_value(const std::vector<std::string>& args, std::size_t& index) {
  if (index + 1 >= args.size()) {
    std::fprintf(stderr, "%s: missing value\n", args[index].c_str());
    return std::nullopt;
  }
  return args[++index];
}

namespace {

struct RunFlags {
  std::string scenario_path;
  RunOptions options;
  bool json = false;
  bool check_determinism = false;
  std::string html_path;
};

// Reads `sim SCENARIO [flags]`; on bad usage prints why and returns nothing.
std::optional<RunFlags> parse_run_flags(const std::vector<std::string>& args) {
  RunFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&] { return flag_value(args, i); };
    if (arg == "--seed") {
      auto text = value();
      if (!text) return std::nullopt;
      auto seed = parse_unsigned_flag(arg, *text);
      if (!seed) return std::nullopt;
      flags.options.seed = *seed;
    } else if (arg == "--trace") {
      auto text = value();
      if (!text) return std::nullopt;
      flags.options.trace_path = *text;
    } else if (arg == "--html") {
      auto text = value();
      if (!text) return std::nullopt;
      flags.html_path = *text;
    } else if (arg == "--json") {
      flags.json = true;
    } else if (arg == "--check-determinism") {
      flags.check_determinism = true;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "%s: unknown option (see sim --help)\n", arg.c_str());
      return std::nullopt;
    } else if (flags.scenario_path.empty()) {
      flags.scenario_path = arg;
    } else {
      std::fprintf(stderr, "%s: unexpected argument; one scenario per run (see sim --help)\n", arg.c_str());
      return std::nullopt;
    }
  }
  if (flags.scenario_path.empty()) {
    std::fprintf(stderr, "no scenario given (see sim --help)\n");
    return std::nullopt;
  }
  return flags;
}

std::string failure_trace_name(const RunReport& report) {
  return "sim-failure-" + report.scenario_name + "-seed" + std::to_string(report.seed) + ".jsonl";
}

// Writes the --html page from the run's trace. A temporary trace (--html without --trace) is removed after
// a passing run and kept under the failure name after a failing one. Returns the page writer's status.
int write_html(RunReport& report, const RunOptions& options, const std::string& html_path, bool temporary_trace) {
  const int written = write_trace_views(options.trace_path, html_path, "");
  std::error_code file_error;
  if (temporary_trace && report.passed()) {
    std::filesystem::remove(options.trace_path, file_error);
    report.trace_path.clear();
  } else if (temporary_trace) {
    report.trace_path = failure_trace_name(report);
    std::filesystem::rename(options.trace_path, report.trace_path, file_error);
    if (file_error) report.trace_path = options.trace_path;  // Kept where it is, under its temporary name.
  }
  return written;
}

// A failing run without --trace is run again with its trace written, so the failure can be replayed and
// viewed; the rerun must give the same hash. Returns false if it did not (the simulator is nondeterministic).
bool keep_failure_trace(const Scenario& scenario, const RunOptions& options, RunReport& report) {
  RunOptions traced = options;
  traced.seed = report.seed;
  traced.trace_path = failure_trace_name(report);
  RunReport rerun = run_scenario(scenario, traced);
  report.trace_path = rerun.trace_path;
  report.trace_error = rerun.trace_error;
  if (rerun.trace_hash == report.trace_hash) return true;
  std::fprintf(stderr, "nondeterminism: the same scenario and seed gave trace hashes %s and %s\n",
               format_hash(report.trace_hash).c_str(), format_hash(rerun.trace_hash).c_str());
  return false;
}

// --check-determinism: a second run, hash only, must give the same trace hash and event count (madsim's
// check). It is its own run, not the failure rerun, so a passing scenario is checked too.
RunReport second_run(const Scenario& scenario, const RunReport& report) {
  RunOptions hash_only;
  hash_only.seed = report.seed;
  RunReport second = run_scenario(scenario, hash_only);
  if (second.trace_hash != report.trace_hash || second.events != report.events) {
    std::fprintf(stderr, "nondeterminism: the same scenario and seed gave trace hashes %s and %s (%llu and %llu events)\n",
                 format_hash(report.trace_hash).c_str(), format_hash(second.trace_hash).c_str(),
                 static_cast<unsigned long long>(report.events), static_cast<unsigned long long>(second.events));
  }
  return second;
}

void print_run(const RunFlags& flags, const RunReport& report, const std::optional<RunReport>& second, int status) {
  if (flags.json) {
    nlohmann::json out = report_to_json(report, flags.scenario_path);
    if (second) {
      out["determinism"] = {{"trace_hashes", {format_hash(report.trace_hash), format_hash(second->trace_hash)}},
                            {"events", {report.events, second->events}},
                            {"deterministic", status != exit_nondeterministic}};
    }
    std::cout << out.dump() << "\n";
    return;
  }
  std::cout << format_summary(report, flags.scenario_path);
  if (second) {
    std::cout << "determinism run 1 hash " << format_hash(report.trace_hash) << " (" << report.events << " events), run 2 hash "
              << format_hash(second->trace_hash) << " (" << second->events << " events): "
              << (status == exit_nondeterministic ? "DIFFERENT" : "identical") << "\n";
  }
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  std::optional<RunFlags> flags = parse_run_flags(args);
  if (!flags) return exit_bad_input;
  std::optional<Scenario> scenario = load_scenario_file(flags->scenario_path);
  if (!scenario) return exit_bad_input;
  RunOptions& options = flags->options;

  // --html without --trace: the page is drawn from a trace in a temporary file beside it.
  const bool temporary_trace = !flags->html_path.empty() && options.trace_path.empty();
  if (temporary_trace) options.trace_path = flags->html_path + ".trace-" + std::to_string(getpid()) + ".jsonl";

  auto wall_start = std::chrono::steady_clock::now();
  RunReport report = run_scenario(*scenario, options);
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!report.trace_error.empty()) {
    std::fprintf(stderr, "%s\n", report.trace_error.c_str());
    return exit_bad_input;
  }
  int status = report.passed() ? exit_passed : exit_check_failed;
  if (!flags->html_path.empty()) {
    const int written = write_html(report, options, flags->html_path, temporary_trace);
    if (written != exit_passed) return written;
  }
  if (!report.passed() && options.trace_path.empty() && !keep_failure_trace(*scenario, options, report)) {
    status = exit_nondeterministic;
  }
  std::optional<RunReport> second;
  if (flags->check_determinism) {
    second = second_run(*scenario, report);
    if (second->trace_hash != report.trace_hash || second->events != report.events) status = exit_nondeterministic;
  }
  print_run(*flags, report, second, status);
  return status;
}

}  // namespace edgecache::sim
