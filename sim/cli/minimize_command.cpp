// `sim minimize SCENARIO [--seed N] -o OUT`: shrinks a failing run to the smallest scenario that still fails
// the same checker, and writes it as an ordinary scenario file. The method is minimize_failure()'s
// (sim/search/minimizer.h); this file parses the flags, prints the progress and the result, and writes it.
//
// This file is a command front end, one of the few in sim/ allowed a clock (tests/tidy_test.cpp): it reports
// how long minimization took and never feeds the time into a run.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/search/minimizer.h"
#include "sim/trace/trace.h"

namespace edgecache::sim {

namespace {

// The most --max-runs takes: far beyond any useful minimization, it only catches a mistyped bound.
constexpr std::uint64_t max_runs_limit = 1'000'000;

struct MinimizeRequest {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;
  std::string output_path;
  std::uint64_t max_runs = default_minimize_max_runs;
};

std::optional<MinimizeRequest> parse_request(const std::vector<std::string>& args) {
  MinimizeRequest request;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--seed" || arg == "--max-runs") {
      auto text = flag_value(args, i);
      if (!text) return std::nullopt;
      auto number = parse_unsigned_flag(arg, *text);
      if (!number) return std::nullopt;
      if (arg == "--seed") {
        request.seed = *number;
      } else if (*number == 0 || *number > max_runs_limit) {
        std::fprintf(stderr, "--max-runs: must be 1 to %llu, got %s\n", static_cast<unsigned long long>(max_runs_limit),
                     text->c_str());
        return std::nullopt;
      } else {
        request.max_runs = *number;
      }
    } else if (arg == "-o" || arg == "--output") {
      auto text = flag_value(args, i);
      if (!text) return std::nullopt;
      request.output_path = *text;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "%s: unknown minimize option (see sim --help)\n", arg.c_str());
      return std::nullopt;
    } else if (request.scenario_path.empty()) {
      request.scenario_path = arg;
    } else {
      std::fprintf(stderr, "%s: unexpected argument; one scenario per minimization (see sim --help)\n", arg.c_str());
      return std::nullopt;
    }
  }
  if (request.scenario_path.empty()) {
    std::fprintf(stderr, "no scenario given (see sim --help)\n");
    return std::nullopt;
  }
  if (request.output_path.empty()) {
    std::fprintf(stderr, "-o: missing; give the file to write the minimized scenario to, such as -o min.json\n");
    return std::nullopt;
  }
  return request;
}

// Prints each stage as minimization reaches it, so a long minimization shows where it is.
class ProgressPrinter final : public MinimizeObserver {
 public:
  ProgressPrinter(const Scenario& input, const std::string& scenario_path) : input_(input), scenario_path_(scenario_path) {}

  void on_input_failed(const std::string& checker, const ScenarioSize& before) override {
    checker_ = checker;
    std::printf("minimize %s (%s), seed %llu: first violated checker %s\n", input_.name.c_str(), scenario_path_.c_str(),
                static_cast<unsigned long long>(input_.seed), checker.c_str());
    std::printf("  before  %s%s\n", describe_size(before).c_str(),
                input_.nemesis.enabled ? " (faults counted as the run executed them)" : "");
  }

  void on_timeline_confirmed(std::size_t faults) override {
    std::printf("  explicit timeline of %zu faults%s fails %s first\n", faults,
                input_.nemesis.enabled ? " (the nemesis switched off)" : "", checker_.c_str());
  }

  void on_round(int round, const ScenarioSize& size, std::uint64_t runs) override {
    std::printf("  round %d  %s (%llu runs so far)\n", round, describe_size(size).c_str(),
                static_cast<unsigned long long>(runs));
  }

 private:
  const Scenario& input_;
  const std::string& scenario_path_;
  std::string checker_;
};

bool write_scenario(const std::string& path, const Scenario& scenario) {
  return write_text_file(path, scenario_to_json(scenario).dump(2) + "\n");
}

}  // namespace

int minimize_command(const std::vector<std::string>& args) {
  std::optional<MinimizeRequest> parsed = parse_request(args);
  if (!parsed) return exit_bad_input;
  const MinimizeRequest& request = *parsed;
  std::optional<Scenario> loaded = load_scenario_file(request.scenario_path);
  if (!loaded) return exit_bad_input;
  Scenario input = *loaded;
  if (request.seed) input.seed = *request.seed;

  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

  ProgressPrinter progress(input, request.scenario_path);
  MinimizeResult result = minimize_failure(input, MinimizeOptions{request.max_runs, {}, &progress});
  switch (result.outcome) {
    case MinimizeOutcome::input_passes:
      std::printf("nothing to minimize: %s with seed %llu passes every check\n", request.scenario_path.c_str(),
                  static_cast<unsigned long long>(input.seed));
      return exit_check_failed;
    case MinimizeOutcome::timeline_differs: {
      std::string outcome = result.timeline_checker ? "fail " + *result.timeline_checker + " first" : "pass";
      std::fprintf(stderr,
                   "%s: the run's %zu faults as an explicit timeline %s instead of failing %s first; the failure "
                   "depends on the order of the nemesis's events and cannot be minimized this way\n",
                   request.scenario_path.c_str(), result.timeline_faults, outcome.c_str(), result.checker.c_str());
      return exit_nondeterministic;
    }
    case MinimizeOutcome::not_reproduced:
      std::fprintf(stderr, "the minimized scenario did not reproduce its own run (trace hash %s, then %s)\n",
                   format_hash(result.trace_hash).c_str(), format_hash(result.reproduced_trace_hash).c_str());
      return exit_nondeterministic;
    case MinimizeOutcome::minimized: break;
  }

  Scenario& minimized = result.scenario;
  minimized.name = input.name + "_min";
  minimized.description = "Minimized by sim minimize from " + request.scenario_path + " with seed " +
                          std::to_string(input.seed) + ": fails " + result.checker + " first. Before: " +
                          describe_size(result.before) + ". After: " + describe_size(result.after) + "." +
                          (input.description.empty() ? "" : " The input's description: " + input.description);
  if (!write_scenario(request.output_path, minimized)) {
    std::fprintf(stderr, "-o: cannot write %s\n", request.output_path.c_str());
    return exit_bad_input;
  }
  std::printf("  after   %s\n", describe_size(result.after).c_str());
  std::printf("  faults  %zu -> %zu in %llu runs, %.2f s%s\n", result.before.faults, result.after.faults,
              static_cast<unsigned long long>(result.runs), elapsed(),
              result.budget_spent ? " (stopped at the --max-runs bound; a larger one may shrink further)" : "");
  // Held in a local: a range-for over a member of a temporary would read freed memory.
  const nlohmann::json written = scenario_to_json(minimized);
  for (const nlohmann::json& fault : written["faults"]) std::printf("    %s\n", fault.dump().c_str());
  std::printf("wrote %s (trace hash %s); reproduce: ./sim %s\n", request.output_path.c_str(),
              format_hash(result.reproduced_trace_hash).c_str(), request.output_path.c_str());
  return exit_passed;
}

}  // namespace edgecache::sim
