#pragma once
// Shrinks a failing run to the smallest scenario that still fails the same checker first. `sim minimize`
// parses its flags, calls minimize_failure() and prints what it returns; tests call it directly.
//
// The method is delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing Input",
// 2002) over a scenario's parts, in the order in which they usually matter least to a failure's cause:
//
// 1. The run's faults become an explicit timeline. The cluster records every fault it executed, scripted or
//    drawn by the random nemesis, with the host names resolved ("leader" becomes the edge that led) and the
//    millisecond it fired; those records replace the scenario's faults and the nemesis is switched off. The
//    timeline is run once to verify it still fails the same checker: the nemesis's faults fire inside its own
//    tick events, so an explicit fault may run before rather than after another event due at the very same
//    microsecond, and a failure that hinged on that order is reported instead of being minimized wrongly.
// 2. The faults are delta-debugged (ddmin: drop halves, then complements, then finer chunks). A candidate may
//    not leave a link degraded, a host paused or the network cut at its end unless the input did (see
//    Minimizer::fails in minimizer.cpp).
// 3. The workload is cut short (the earliest stop that still fails, by bisection), then the run's duration.
// 4. Clients, then edges, are removed one at a time; the hosts above a removed one are renumbered, so an
//    edge keeps its Bully rank relative to the others, and faults naming a removed host go with it.
//
// The stages repeat until a round shrinks nothing, since a smaller cluster often lets more faults go. A
// candidate "still fails" when the earliest violation of its run comes from the same checker as the input's
// (the `sweep` command groups failures by that checker too). Runs are sequential and each scenario is run at
// most once (results are kept by the scenario's JSON text), so minimization is deterministic: the same input
// gives the same output on any machine. The number of runs is bounded; at the bound the smallest failing
// scenario found so far is returned, and the result says the bound was reached.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/report.h"
#include "sim/scenario.h"

namespace edgecache::sim {

// A minimization of a one-second-per-run scenario stays within a few minutes at this bound; most need well
// under a hundred runs, since each accepted candidate is also cheaper to run than the one before.
constexpr std::uint64_t default_minimize_max_runs = 400;

// What minimization reports of a scenario and of its run.
struct ScenarioSize {
  std::size_t faults = 0;
  bool nemesis = false;
  std::uint64_t requests = 0;  // Requests the run's clients finished.
  std::int64_t workload_start_ms = 0;
  std::int64_t workload_stop_ms = 0;
  TimeUs run_us = 0;
  std::uint32_t clients = 0;
  std::uint32_t edges = 0;
};

// "3 faults, workload 120 requests over 0..2000 ms, run 4.0 s, 1 client, 2 edges".
std::string describe_size(const ScenarioSize& size);

// Runs a candidate scenario and returns its report. It must be deterministic: the same scenario, the same
// report.
using ScenarioRunner = std::function<RunReport(const Scenario&)>;

// Told how minimization advances, so that a long one can show where it is. Every method does nothing unless
// overridden.
class MinimizeObserver {
 public:
  virtual ~MinimizeObserver() = default;
  // The input's run failed `checker` first; `before` is its size, its faults counted as the run executed
  // them.
  virtual void on_input_failed(const std::string& /*checker*/, const ScenarioSize& /*before*/) {}
  // The run's `faults` faults, as an explicit timeline, fail the same checker first; shrinking starts.
  virtual void on_timeline_confirmed(std::size_t /*faults*/) {}
  // Round `round` of all stages ended at `size`, after `runs` candidate runs in all.
  virtual void on_round(int /*round*/, const ScenarioSize& /*size*/, std::uint64_t /*runs*/) {}
};

struct MinimizeOptions {
  std::uint64_t max_runs = default_minimize_max_runs;  // Candidate runs at most. REQUIRES: at least 1.
  ScenarioRunner run;                                  // Empty: run_scenario(scenario, {}).
  MinimizeObserver* observer = nullptr;                // May be null.
};

enum class MinimizeOutcome {
  minimized,          // `scenario` is the smallest failing scenario found.
  input_passes,       // The input's run violated nothing: there is nothing to minimize.
  timeline_differs,   // The explicit timeline did not fail the input's checker first (see timeline_checker).
  not_reproduced,     // The minimized scenario, reread from its JSON text, did not reproduce its own run.
};

struct MinimizeResult {
  MinimizeOutcome outcome = MinimizeOutcome::input_passes;
  std::string checker;  // The checker the input's run violated first; empty if it passed.
  ScenarioSize before;  // The input, its faults counted as its run executed them.
  std::size_t timeline_faults = 0;
  // timeline_differs: the checker the explicit timeline's run violated first, or nothing if it passed.
  std::optional<std::string> timeline_checker;
  // minimized and not_reproduced: the smallest failing scenario found, with the input's name and description.
  Scenario scenario;
  ScenarioSize after;
  std::uint64_t runs = 0;      // Runs made in all, the input's and the final reproduction's included.
  bool budget_spent = false;   // The max_runs bound stopped shrinking; a larger one may shrink further.
  std::uint64_t trace_hash = 0;             // The minimized scenario's, as the minimizer ran it.
  std::uint64_t reproduced_trace_hash = 0;  // The same scenario's, run again from its own JSON text.
};

// Minimizes `input`'s failure under its own seed. The result says which way it ended; only `minimized`
// carries a scenario that fails by itself, and a runner that is deterministic gives the same result for the
// same input every time.
MinimizeResult minimize_failure(const Scenario& input, const MinimizeOptions& options = {});

}  // namespace edgecache::sim
