#include "sim/search/minimizer.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/parse_number.h"
#include "sim/cluster.h"

namespace edgecache::sim {

namespace {

// Workload and duration bisection stop when the interval is this narrow: finer cuts rarely matter to a
// failure's cause and each costs a run.
constexpr std::int64_t length_resolution_ms = 100;
// Rounds of all stages; a round that shrinks nothing ends minimization earlier.
constexpr int max_rounds = 4;

// The checker of a run's earliest violation, or nothing if it passed.
std::optional<std::string> first_violated_checker(const RunReport& report) {
  const Violation* first = report.earliest_violation();
  if (first == nullptr) return std::nullopt;
  return first->checker;
}

ScenarioSize size_of(const Scenario& scenario, const RunReport& report) {
  return ScenarioSize{scenario.faults.size(),     scenario.nemesis.enabled,  report.total_requests(),
                      scenario.workload.start_ms, scenario.workload.stop_ms, report.sim_time_us,
                      scenario.cluster.clients,   scenario.cluster.edges};
}

// --- Removing a host ------------------------------------------------------------------------------------

// Renames host `prefix + number` after host `prefix + removed` is taken out: higher numbers move down by one.
// Returns nothing for the removed host itself, and other names unchanged.
std::optional<std::string> renumbered(const std::string& name, const std::string& prefix, std::uint32_t removed) {
  if (!name.starts_with(prefix)) return name;
  const std::optional<std::uint64_t> number = parse_decimal(std::string_view(name).substr(prefix.size()));
  if (!number) return name;
  if (*number == removed) return std::nullopt;
  return *number > removed ? prefix + std::to_string(*number - 1) : name;
}

// The scenario without host `prefix + removed` ("edge-" or "client-"): faults naming it are dropped and it
// leaves every partition group; hosts above it are renumbered. Returns nothing if the expectations name it.
std::optional<Scenario> without_host(const Scenario& scenario, const std::string& prefix, std::uint32_t removed) {
  Scenario smaller = scenario;
  std::uint32_t& count = prefix == "edge-" ? smaller.cluster.edges : smaller.cluster.clients;
  if (count <= 1) return std::nullopt;
  --count;
  smaller.faults.clear();
  for (const Fault& original : scenario.faults) {
    Fault fault = original;
    bool keep = true;
    for (std::string* name : {&fault.node, &fault.from, &fault.to, &fault.as}) {
      if (name->empty()) continue;
      std::optional<std::string> renamed = renumbered(*name, prefix, removed);
      if (!renamed) keep = false;
      else *name = *renamed;
    }
    std::vector<std::vector<std::string>> groups;
    for (const auto& group : fault.groups) {
      std::vector<std::string> members;
      for (const std::string& member : group) {
        if (std::optional<std::string> renamed = renumbered(member, prefix, removed)) members.push_back(*renamed);
      }
      if (!members.empty()) groups.push_back(std::move(members));
    }
    if (fault.kind == FaultKind::partition && groups.empty()) keep = false;
    fault.groups = std::move(groups);
    if (keep) smaller.faults.push_back(std::move(fault));
  }
  if (smaller.expect.final_leader) {
    std::optional<std::string> renamed = renumbered(*smaller.expect.final_leader, prefix, removed);
    if (!renamed) return std::nullopt;
    smaller.expect.final_leader = *renamed;
  }
  return smaller;
}

// --- Faults left standing -------------------------------------------------------------------------------

// What a fault timeline leaves in force at its end: links still degraded, hosts still paused, hosts still
// partitioned, isolated or cut off.
struct Leftovers {
  bool degraded = false;
  bool paused = false;
  bool blocked = false;
};

Leftovers leftovers_of(const std::vector<Fault>& faults) {
  bool all_degraded = false;
  std::set<std::pair<std::string, std::string>> degraded_links;
  std::set<std::string> paused;
  bool blocked = false;
  for (const Fault& fault : faults) {
    switch (fault.kind) {
      case FaultKind::partition:
      case FaultKind::isolate:
      case FaultKind::cut: blocked = true; break;
      case FaultKind::heal: blocked = false; break;
      case FaultKind::degrade:
        if (fault.from.empty()) all_degraded = true;
        else degraded_links.emplace(fault.from, fault.to);
        break;
      case FaultKind::restore:
        if (fault.from.empty()) {
          all_degraded = false;
          degraded_links.clear();
        } else {
          degraded_links.erase({fault.from, fault.to});
        }
        break;
      case FaultKind::pause: paused.insert(fault.node); break;
      case FaultKind::resume:
      case FaultKind::crash:
      case FaultKind::restart: paused.erase(fault.node); break;
      default: break;
    }
  }
  return Leftovers{all_degraded || !degraded_links.empty(), !paused.empty(), blocked};
}

// --- The minimizer --------------------------------------------------------------------------------------

class Minimizer {
 public:
  // `allowed` is what the input's own timeline leaves in force at its end; a candidate may leave no more.
  // REQUIRES: `run` outlives the minimizer.
  Minimizer(const ScenarioRunner& run, std::string checker, std::uint64_t max_runs, Leftovers allowed)
      : run_(run), checker_(std::move(checker)), max_runs_(max_runs), allowed_(allowed) {}

  // Whether `candidate` fails with the target checker first. A candidate that is not a valid scenario (it
  // does not survive the trip through JSON unchanged) counts as passing without a run; so does any candidate
  // once the run budget is spent. So does one that drops the undo of a degrade, a pause or a partition (or
  // isolation, or cut) which the input undid: a network that stays lossy or cut, or an edge that stays
  // paused, to the end is a fault that never stops, outside what the liveness and replication checks
  // promise (the property tests exclude it too), and a "minimal" failure found that way would be a
  // different failure under the same checker's name.
  bool fails(const Scenario& candidate) {
    std::string key = scenario_to_json(candidate).dump();
    if (auto known = results_.find(key); known != results_.end()) return known->second.fails;
    ScenarioResult parsed = parse_scenario(key);
    Leftovers left = leftovers_of(candidate.faults);
    if (!parsed.scenario || !(*parsed.scenario == candidate) || (left.degraded && !allowed_.degraded) ||
        (left.paused && !allowed_.paused) || (left.blocked && !allowed_.blocked)) {
      results_.emplace(key, Result{false, 0, {}});
      return false;
    }
    if (runs_ >= max_runs_) {
      budget_spent_ = true;
      return false;
    }
    ++runs_;
    RunReport report = run_(candidate);
    bool fails = first_violated_checker(report) == checker_;
    results_.emplace(key, Result{fails, report.trace_hash, size_of(candidate, report)});
    return fails;
  }

  // The size and trace hash recorded for a scenario already run.
  ScenarioSize size(const Scenario& scenario) const { return results_.at(scenario_to_json(scenario).dump()).size; }
  std::uint64_t trace_hash(const Scenario& scenario) const {
    return results_.at(scenario_to_json(scenario).dump()).trace_hash;
  }

  std::uint64_t runs() const { return runs_; }
  bool budget_spent() const { return budget_spent_; }

  // ddmin over the faults: returns a subset of `scenario`'s faults with which it still fails and from which
  // no single chunk at the finest granularity tried can be removed.
  Scenario minimize_faults(Scenario scenario) {
    auto with = [&scenario](std::vector<Fault> faults) {
      Scenario candidate = scenario;
      candidate.faults = std::move(faults);
      return candidate;
    };
    if (scenario.faults.empty()) return scenario;
    if (Scenario none = with({}); fails(none)) return none;
    std::size_t chunks = 2;
    while (scenario.faults.size() >= 2) {
      const std::vector<Fault>& faults = scenario.faults;
      chunks = std::min(chunks, faults.size());
      std::vector<std::vector<Fault>> parts(chunks);
      for (std::size_t i = 0; i < faults.size(); ++i) parts[i * chunks / faults.size()].push_back(faults[i]);
      bool reduced = false;
      for (std::size_t i = 0; i < chunks && !reduced; ++i) {
        if (Scenario candidate = with(parts[i]); fails(candidate)) {
          scenario = std::move(candidate);
          chunks = 2;
          reduced = true;
        }
      }
      for (std::size_t i = 0; i < chunks && !reduced && chunks > 2; ++i) {
        std::vector<Fault> complement;
        for (std::size_t j = 0; j < chunks; ++j) {
          if (j != i) complement.insert(complement.end(), parts[j].begin(), parts[j].end());
        }
        if (Scenario candidate = with(std::move(complement)); fails(candidate)) {
          scenario = std::move(candidate);
          chunks = std::max<std::size_t>(chunks - 1, 2);
          reduced = true;
        }
      }
      if (reduced) continue;
      if (chunks >= faults.size() || budget_spent_) break;
      chunks = std::min(chunks * 2, faults.size());
    }
    return scenario;
  }

  // The smallest value in [low, current] (to within length_resolution_ms) for which `set` yields a failing
  // scenario, found by bisection from `scenario`, which fails with `current`. Bisection assumes that a
  // shorter value fails less often; where it does not, it still ends at a value that fails.
  Scenario shorten(Scenario scenario, std::int64_t low, std::int64_t current,
                   const std::function<void(Scenario&, std::int64_t)>& set) {
    auto with = [&](std::int64_t value) {
      Scenario candidate = scenario;
      set(candidate, value);
      return candidate;
    };
    if (current <= low) return scenario;
    if (Scenario lowest = with(low); fails(lowest)) return lowest;
    std::int64_t high = current;
    while (high - low > length_resolution_ms && !budget_spent_) {
      std::int64_t middle = low + (high - low) / 2;
      if (Scenario candidate = with(middle); fails(candidate)) {
        scenario = std::move(candidate);
        high = middle;
      } else {
        low = middle;
      }
    }
    return scenario;
  }

  // Removes hosts with `prefix` one at a time, highest first, for as long as a removal keeps the failure.
  Scenario remove_hosts(Scenario scenario, const std::string& prefix) {
    bool removed = true;
    while (removed && !budget_spent_) {
      removed = false;
      std::uint32_t count = prefix == "edge-" ? scenario.cluster.edges : scenario.cluster.clients;
      for (std::uint32_t number = count; number >= 1 && !removed; --number) {
        std::optional<Scenario> candidate = without_host(scenario, prefix, number);
        if (candidate && fails(*candidate)) {
          scenario = std::move(*candidate);
          removed = true;
        }
      }
    }
    return scenario;
  }

 private:
  struct Result {
    bool fails = false;
    std::uint64_t trace_hash = 0;
    ScenarioSize size;
  };
  const ScenarioRunner& run_;
  std::string checker_;
  std::uint64_t max_runs_;
  Leftovers allowed_;
  std::uint64_t runs_ = 0;
  bool budget_spent_ = false;
  std::map<std::string, Result> results_;  // By the candidate's JSON text.
};

// The run's faults as the scenario's explicit timeline, with the nemesis off. The run lasted until at least
// the nemesis's stop plus the quiet period; duration_ms keeps it that long, and the duration stage shortens it.
Scenario explicit_timeline(const Scenario& scenario, const RunReport& report) {
  Scenario explicit_run = scenario;
  explicit_run.seed = report.seed;
  explicit_run.faults = report.faults;
  explicit_run.nemesis = NemesisOptions{};
  explicit_run.duration_ms = std::max<std::int64_t>(scenario.duration_ms, report.sim_time_us / us_per_ms);
  return explicit_run;
}

// --- Minimizing -----------------------------------------------------------------------------------------

// Runs every stage once over `current` and returns what is left.
Scenario shrink_round(Minimizer& minimizer, Scenario current) {
  current = minimizer.minimize_faults(std::move(current));
  std::int64_t workload_start_ms = current.workload.start_ms;
  std::int64_t workload_stop_ms = current.workload.stop_ms;
  current = minimizer.shorten(std::move(current), workload_start_ms, workload_stop_ms,
                              [](Scenario& scenario, std::int64_t stop_ms) { scenario.workload.stop_ms = stop_ms; });
  // The run lasts at least until the last fault or the workload's end plus the quiet period, so a duration
  // of 1 ms (the least the format takes) lets those alone decide.
  std::int64_t duration_ms = current.duration_ms;
  current = minimizer.shorten(std::move(current), 1, duration_ms,
                              [](Scenario& scenario, std::int64_t duration) { scenario.duration_ms = duration; });
  current = minimizer.remove_hosts(std::move(current), "client-");
  return minimizer.remove_hosts(std::move(current), "edge-");
}

}  // namespace

std::string describe_size(const ScenarioSize& size) {
  char text[256];
  std::snprintf(text, sizeof text, "%zu fault%s%s, workload %llu requests over %lld..%lld ms, run %.1f s, %u client%s, %u edge%s",
                size.faults, size.faults == 1 ? "" : "s", size.nemesis ? " plus the random nemesis" : "",
                static_cast<unsigned long long>(size.requests), static_cast<long long>(size.workload_start_ms),
                static_cast<long long>(size.workload_stop_ms), static_cast<double>(size.run_us) / 1e6, size.clients,
                size.clients == 1 ? "" : "s", size.edges, size.edges == 1 ? "" : "s");
  return text;
}

MinimizeResult minimize_failure(const Scenario& input, const MinimizeOptions& options) {
  EC_ASSERT(options.max_runs >= 1, "a minimization needs at least one candidate run");
  const ScenarioRunner run = options.run ? options.run : [](const Scenario& scenario) { return run_scenario(scenario, {}); };
  MinimizeObserver silent;
  MinimizeObserver& observer = options.observer != nullptr ? *options.observer : silent;
  MinimizeResult result;

  RunReport first = run(input);
  std::optional<std::string> checker = first_violated_checker(first);
  result.runs = 1;
  if (!checker) return result;
  result.checker = *checker;
  result.before = size_of(input, first);
  result.before.faults = first.faults.size();
  observer.on_input_failed(*checker, result.before);

  // A scenario's expectations describe its full run; once hosts are removed or the workload is cut they
  // would only add failures of their own, so they are kept only when they are what failed.
  Scenario current = explicit_timeline(input, first);
  if (*checker != "expect") current.expect = Expectations{};
  result.timeline_faults = current.faults.size();
  Minimizer minimizer(run, *checker, options.max_runs, leftovers_of(current.faults));
  if (!minimizer.fails(current)) {
    result.outcome = MinimizeOutcome::timeline_differs;
    result.timeline_checker = first_violated_checker(run(current));
    result.runs += minimizer.runs() + 1;
    return result;
  }
  observer.on_timeline_confirmed(current.faults.size());

  for (int round = 1; round <= max_rounds && !minimizer.budget_spent(); ++round) {
    std::string was = scenario_to_json(current).dump();
    current = shrink_round(minimizer, std::move(current));
    observer.on_round(round, minimizer.size(current), minimizer.runs());
    if (scenario_to_json(current).dump() == was) break;
  }

  // The result must fail by itself: run it once more from its own JSON text and require the same checker
  // and the same trace hash as when the minimizer ran it.
  ScenarioResult reread = parse_scenario(scenario_to_json(current).dump());
  RunReport check = run(*reread.scenario);
  result.after = minimizer.size(current);
  result.runs += minimizer.runs() + 1;
  result.budget_spent = minimizer.budget_spent();
  result.trace_hash = minimizer.trace_hash(current);
  result.reproduced_trace_hash = check.trace_hash;
  result.outcome = first_violated_checker(check) == checker && check.trace_hash == result.trace_hash
                       ? MinimizeOutcome::minimized
                       : MinimizeOutcome::not_reproduced;
  result.scenario = std::move(current);
  return result;
}

}  // namespace edgecache::sim
