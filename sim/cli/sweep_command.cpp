// `sim sweep SCENARIO --seeds A..B [--jobs N] [--json] [--swarm]`: runs one scenario under every seed of a
// range, in parallel, and reports the failing seeds grouped by the first checker each violated, with the
// command that reproduces each one.
//
// Parallelism is safe because a run shares nothing mutable: run_scenario() builds its own world, nodes,
// checkers and random streams from (scenario, seed), neither sim/ nor core/ keeps global mutable state, and a
// sweep writes no trace. Workers take seeds from an atomic counter, so the order in which seeds finish
// varies, but every seed's outcome does not, and the report sorts by seed.
//
// --swarm is swarm testing: each seed runs a fault mix of its own, drawn by swarm_scenario()
// (sim/search/swarm.h). The drawn scenario of each failing seed is written to sweep-failures/ so that the
// ordinary run command reproduces it.
//
// This file and the other command front ends are the only ones in sim/ allowed threads and clocks
// (tests/tidy_test.cpp): they time the sweep and never feed the time into a run.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/report.h"
#include "sim/search/swarm.h"

namespace edgecache::sim {

namespace {

constexpr std::uint64_t max_sweep_seeds = 100'000'000;
constexpr std::uint64_t max_jobs = 256;
// The text report lists this many seeds per checker; --json lists them all.
constexpr std::size_t max_seeds_listed_per_checker = 20;
constexpr auto terminal_refresh_interval = std::chrono::milliseconds(200);
constexpr int progress_bar_width = 30;
constexpr const char* failure_directory = "sweep-failures";
// A sweep hashes its scenario's whole catalog once, up front, when the images take at most this many bytes
// (about a second of hashing on the reference machine); otherwise each run hashes just the images it meets.
constexpr std::uint64_t shared_catalog_max_bytes = 4ULL << 30;

struct SweepRequest {
  std::string scenario_path;
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::uint64_t jobs = 0;
  bool json = false;
  bool swarm = false;
  std::uint64_t seed_count() const { return to - from + 1; }
};

struct SeedFailure {
  std::uint64_t seed = 0;
  std::vector<std::string> checkers;  // Every checker violated, in the order of their first violation.
  Violation first;                    // The earliest violation; its checker groups the seed.
  std::string reproduce;
  std::string scenario_file;  // --swarm: the drawn scenario, written for the reproduce command.
};

// What the workers share with the thread that reports progress.
struct SweepState {
  std::atomic<std::uint64_t> next_index{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> failed{0};
  std::mutex mutex;
  std::condition_variable progressed;
  std::vector<SeedFailure> failures;  // Guarded by mutex.
};

// --- Reporting an aborted run -------------------------------------------------------------------------
// A broken invariant aborts the process (EC_ASSERT), taking the sweep with it. The handler below names the
// seed the aborting thread was running, so even that failure comes with its reproduce command. It may use
// only async-signal-safe calls, hence the fixed buffers and write(2).

thread_local std::uint64_t seed_in_progress_plus_one = 0;  // 0: this thread runs no seed.
std::atomic<const char*> abort_scenario_path{nullptr};
std::atomic<bool> abort_swarm{false};

void write_text(const char* text) {
  std::size_t length = 0;
  while (text[length] != '\0') ++length;
  while (length > 0) {
    ssize_t written = write(STDERR_FILENO, text, length);
    if (written <= 0) return;
    text += written;
    length -= static_cast<std::size_t>(written);
  }
}

void write_number(std::uint64_t value) {
  char digits[21];
  char* end = digits + sizeof digits - 1;
  *end = '\0';
  char* begin = end;
  do {
    *--begin = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  write_text(begin);
}

void report_aborted_seed(int /*signal*/) {
  std::uint64_t seed_plus_one = seed_in_progress_plus_one;
  const char* path = abort_scenario_path.load();
  if (seed_plus_one != 0 && path != nullptr) {
    write_text("sweep: the run of seed ");
    write_number(seed_plus_one - 1);
    write_text(" aborted; reproduce with: ./sim ");
    if (abort_swarm.load()) {
      write_text("sweep ");
      write_text(path);
      write_text(" --swarm --jobs 1 --seeds ");
      write_number(seed_plus_one - 1);
      write_text("..");
      write_number(seed_plus_one - 1);
    } else {
      write_text(path);
      write_text(" --seed ");
      write_number(seed_plus_one - 1);
    }
    write_text("\n");
  }
  // Returning lets abort() go on to end the process with the default action.
  std::signal(SIGABRT, SIG_DFL);
}

// --- Parsing --------------------------------------------------------------------------------------------

// Parses "A..B" (inclusive, A <= B). Prints "--seeds: reason" and returns false on failure.
bool parse_seed_range(const std::string& text, SweepRequest& request) {
  std::size_t dots = text.find("..");
  if (dots == std::string::npos) {
    std::fprintf(stderr, "--seeds: expected a range FROM..TO such as 1..100, got '%s'\n", text.c_str());
    return false;
  }
  auto from = parse_unsigned_flag("--seeds", text.substr(0, dots));
  if (!from) return false;
  auto to = parse_unsigned_flag("--seeds", text.substr(dots + 2));
  if (!to) return false;
  if (*to < *from) {
    std::fprintf(stderr, "--seeds: the range %s is empty; FROM must not exceed TO\n", text.c_str());
    return false;
  }
  if (*to - *from >= max_sweep_seeds) {
    std::fprintf(stderr, "--seeds: a sweep covers at most %llu seeds; split %s into smaller ranges\n",
                 static_cast<unsigned long long>(max_sweep_seeds), text.c_str());
    return false;
  }
  request.from = *from;
  request.to = *to;
  return true;
}

std::optional<SweepRequest> parse_request(const std::vector<std::string>& args) {
  SweepRequest request;
  bool have_seeds = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&] { return flag_value(args, i); };
    if (arg == "--seeds") {
      auto text = value();
      if (!text || !parse_seed_range(*text, request)) return std::nullopt;
      have_seeds = true;
    } else if (arg == "--jobs") {
      auto text = value();
      if (!text) return std::nullopt;
      auto jobs = parse_unsigned_flag(arg, *text);
      if (!jobs) return std::nullopt;
      if (*jobs == 0 || *jobs > max_jobs) {
        std::fprintf(stderr, "--jobs: must be 1 to %llu, got %s\n", static_cast<unsigned long long>(max_jobs), text->c_str());
        return std::nullopt;
      }
      request.jobs = *jobs;
    } else if (arg == "--json") {
      request.json = true;
    } else if (arg == "--swarm") {
      request.swarm = true;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "%s: unknown sweep option (see sim --help)\n", arg.c_str());
      return std::nullopt;
    } else if (request.scenario_path.empty()) {
      request.scenario_path = arg;
    } else {
      std::fprintf(stderr, "%s: unexpected argument; one scenario per sweep (see sim --help)\n", arg.c_str());
      return std::nullopt;
    }
  }
  if (request.scenario_path.empty()) {
    std::fprintf(stderr, "no scenario given (see sim --help)\n");
    return std::nullopt;
  }
  if (!have_seeds) {
    std::fprintf(stderr, "--seeds: missing; give a range such as --seeds 1..100\n");
    return std::nullopt;
  }
  return request;
}

// --- Swarm ----------------------------------------------------------------------------------------------

std::string describe_nemesis(const NemesisOptions& nemesis) {
  char text[400];
  std::snprintf(text, sizeof text,
                "crash %.3f, pause %.3f, partition %.3f, isolate %.3f, cut %.3f, degrade %.3f, clock %.3f, "
                "slow %.3f, hold %.3f, disk %.3f; faults last %lld ms, drawn every %lld ms over %lld..%lld ms",
                nemesis.crash_probability, nemesis.pause_probability, nemesis.partition_probability,
                nemesis.isolate_probability, nemesis.cut_probability, nemesis.degrade_probability,
                nemesis.clock_probability, nemesis.slow_probability, nemesis.hold_probability,
                nemesis.disk_probability,
                static_cast<long long>(nemesis.fault_duration_ms),
                static_cast<long long>(nemesis.interval_ms), static_cast<long long>(nemesis.start_ms),
                static_cast<long long>(nemesis.stop_ms));
  return text;
}

nlohmann::json nemesis_to_json(const NemesisOptions& nemesis) {
  return {{"crash_probability", nemesis.crash_probability},     {"pause_probability", nemesis.pause_probability},
          {"partition_probability", nemesis.partition_probability}, {"isolate_probability", nemesis.isolate_probability},
          {"cut_probability", nemesis.cut_probability},         {"degrade_probability", nemesis.degrade_probability},
          {"clock_probability", nemesis.clock_probability},     {"slow_probability", nemesis.slow_probability},
          {"hold_probability", nemesis.hold_probability},       {"disk_probability", nemesis.disk_probability},
          {"fault_duration_ms", nemesis.fault_duration_ms},
          {"interval_ms", nemesis.interval_ms},                 {"start_ms", nemesis.start_ms},
          {"stop_ms", nemesis.stop_ms}};
}

// A file name made of the scenario's name: letters, digits, '-', '_' and '.' kept, anything else '_'.
std::string file_stem(const Scenario& scenario, const std::string& scenario_path) {
  std::string name = scenario.name.empty() ? std::filesystem::path(scenario_path).stem().string() : scenario.name;
  for (char& c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!keep) c = '_';
  }
  return name.empty() ? "scenario" : name;
}

// Writes the drawn scenario of a failing swarm seed; returns its path, or "" after printing why not.
std::string write_swarm_scenario(const Scenario& scenario, const std::string& stem, std::uint64_t seed) {
  std::error_code error;
  std::filesystem::create_directories(failure_directory, error);
  std::string path = std::string(failure_directory) + "/" + stem + "-seed" + std::to_string(seed) + ".json";
  if (!write_text_file(path, scenario_to_json(scenario).dump(2) + "\n")) {
    std::fprintf(stderr, "%s: cannot write the drawn scenario of seed %llu\n", path.c_str(), static_cast<unsigned long long>(seed));
    return "";
  }
  return path;
}

// --- Running --------------------------------------------------------------------------------------------

// REQUIRES: the run failed.
SeedFailure failure_of(std::uint64_t seed, const RunReport& report) {
  EC_ASSERT(!report.passed(), "failure_of needs a failed run");
  SeedFailure failure;
  failure.seed = seed;
  for (const Violation& violation : report.violations) {
    if (std::find(failure.checkers.begin(), failure.checkers.end(), violation.checker) == failure.checkers.end()) {
      failure.checkers.push_back(violation.checker);
    }
  }
  failure.first = *report.earliest_violation();
  return failure;
}

// Builds the scenario's catalog once for the whole sweep, its checksums computed on `jobs` threads, unless
// hashing every image would cost more than the runs could save.
std::shared_ptr<const SyntheticCatalog> shared_catalog(const Scenario& base, std::uint64_t jobs) {
  auto catalog = std::make_shared<SyntheticCatalog>(catalog_options(base));
  if (catalog->total_bytes() > shared_catalog_max_bytes) return nullptr;
  const std::uint64_t images = catalog->image_count();
  std::vector<std::thread> hashers;
  for (std::uint64_t job = 0; job < jobs; ++job) {
    hashers.emplace_back([&catalog, images, jobs, job] {
      catalog->compute_checksums(images * job / jobs, images * (job + 1) / jobs);
    });
  }
  for (std::thread& hasher : hashers) hasher.join();
  return catalog;
}

void run_worker(const SweepRequest& request, const Scenario& base, SweepState& state,
                const std::shared_ptr<const SyntheticCatalog>& catalog) {
  const std::uint64_t count = request.seed_count();
  for (;;) {
    std::uint64_t index = state.next_index.fetch_add(1);
    if (index >= count) break;
    std::uint64_t seed = request.from + index;
    seed_in_progress_plus_one = seed + 1;
    RunOptions options;
    options.seed = seed;
    options.catalog = catalog;
    std::optional<SeedFailure> failure;
    try {
      RunReport report = request.swarm ? run_scenario(swarm_scenario(base, seed), options) : run_scenario(base, options);
      if (!report.passed()) failure = failure_of(seed, report);
    } catch (const std::exception& error) {
      // The simulator reports failures as values, so an exception is a defect of its own; it still fails
      // only this seed, with its reproduce command, rather than ending the sweep.
      failure = SeedFailure{seed, {"exception"}, Violation{"exception", 0, "", error.what()}, "", ""};
    }
    seed_in_progress_plus_one = 0;
    {
      std::lock_guard lock(state.mutex);
      if (failure) {
        state.failures.push_back(std::move(*failure));
        state.failed.fetch_add(1);
      }
      state.completed.fetch_add(1);
    }
    state.progressed.notify_one();
  }
}

// Shows progress: a bar redrawn in place on a terminal, otherwise a plain line at every tenth of the range.
class ProgressDisplay {
 public:
  ProgressDisplay(std::FILE* out, std::uint64_t total) : out_(out), terminal_(isatty(fileno(out)) != 0), total_(total) {}

  void update(std::uint64_t completed, std::uint64_t failed, double elapsed_seconds, bool final) {
    double rate = elapsed_seconds > 0 ? static_cast<double>(completed) / elapsed_seconds : 0.0;
    if (terminal_) {
      auto now = std::chrono::steady_clock::now();
      if (!final && now - last_draw_ < terminal_refresh_interval) return;
      last_draw_ = now;
      int filled = static_cast<int>(static_cast<double>(progress_bar_width) * static_cast<double>(completed) / static_cast<double>(total_));
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(progress_bar_width, '.');
      char remaining[32] = "time left unknown";
      if (rate > 0) std::snprintf(remaining, sizeof remaining, "%.0f s left", static_cast<double>(total_ - completed) / rate);
      std::fprintf(out_, "\r[%s] %3d%% %llu/%llu seeds, %llu failing, %.1f seeds/s, %s   ", bar.c_str(),
                   static_cast<int>(100 * completed / total_), static_cast<unsigned long long>(completed),
                   static_cast<unsigned long long>(total_), static_cast<unsigned long long>(failed), rate, remaining);
      if (final) std::fputc('\n', out_);
      std::fflush(out_);
      return;
    }
    std::uint64_t tenth = completed * 10 / total_;
    if (tenth <= last_tenth_) return;
    last_tenth_ = tenth;
    std::fprintf(out_, "sweep: %llu/%llu seeds (%d%%), %llu failing, %.1f seeds/s\n", static_cast<unsigned long long>(completed),
                 static_cast<unsigned long long>(total_), static_cast<int>(100 * completed / total_),
                 static_cast<unsigned long long>(failed), rate);
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  bool terminal_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point last_draw_{};
  std::uint64_t last_tenth_ = 0;
};

// Failing seeds grouped by the checker of their earliest violation: the biggest group first, then by name.
std::vector<std::pair<std::string, std::vector<const SeedFailure*>>> group_by_checker(const std::vector<SeedFailure>& failures) {
  std::map<std::string, std::vector<const SeedFailure*>> groups;
  for (const SeedFailure& failure : failures) groups[failure.first.checker].push_back(&failure);
  std::vector<std::pair<std::string, std::vector<const SeedFailure*>>> ordered(groups.begin(), groups.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  return ordered;
}

void print_text_report(const SweepRequest& request, const Scenario& base, const std::vector<SeedFailure>& failures,
                       double wall_seconds, std::uint64_t jobs) {
  std::uint64_t runs = request.seed_count();
  std::printf("sweep %s (%s)%s: seeds %llu..%llu, %llu runs on %llu thread%s in %.2f s, %.1f seeds/s\n", base.name.c_str(),
              request.scenario_path.c_str(), request.swarm ? " with swarm faults" : "",
              static_cast<unsigned long long>(request.from), static_cast<unsigned long long>(request.to),
              static_cast<unsigned long long>(runs), static_cast<unsigned long long>(jobs), jobs == 1 ? "" : "s", wall_seconds,
              wall_seconds > 0 ? static_cast<double>(runs) / wall_seconds : 0.0);
  if (failures.empty()) {
    std::printf("verdict   PASS: every seed held every check\n");
    return;
  }
  std::printf("verdict   FAIL: %zu of %llu seeds failed; by first violated checker:\n", failures.size(),
              static_cast<unsigned long long>(runs));
  for (const auto& [checker, seeds] : group_by_checker(failures)) {
    std::printf("  %s: %zu seed%s\n", checker.c_str(), seeds.size(), seeds.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < seeds.size() && i < max_seeds_listed_per_checker; ++i) {
      const SeedFailure& failure = *seeds[i];
      std::printf("    seed %llu: %s\n", static_cast<unsigned long long>(failure.seed), failure.reproduce.c_str());
      std::printf("      t=%.3f s%s%s: %s\n", static_cast<double>(failure.first.time_us) / 1e6,
                  failure.first.node.empty() ? "" : " ", failure.first.node.c_str(), failure.first.detail.c_str());
      if (failure.checkers.size() > 1) {
        std::string all;
        for (const std::string& name : failure.checkers) all += (all.empty() ? "" : ", ") + name;
        std::printf("      violated: %s\n", all.c_str());
      }
      if (request.swarm) {
        std::printf("      swarm nemesis: %s\n", describe_nemesis(swarm_scenario(base, failure.seed).nemesis).c_str());
      }
    }
    if (seeds.size() > max_seeds_listed_per_checker) {
      std::printf("    ... and %zu more (--json lists every seed)\n", seeds.size() - max_seeds_listed_per_checker);
    }
  }
}

nlohmann::json json_report(const SweepRequest& request, const Scenario& base, const std::vector<SeedFailure>& failures,
                           double wall_seconds) {
  std::uint64_t runs = request.seed_count();
  nlohmann::json out;
  out["scenario"] = base.name;
  out["scenario_path"] = request.scenario_path;
  out["swarm"] = request.swarm;
  out["seeds"] = {{"from", request.from}, {"to", request.to}};
  out["runs"] = runs;
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json by_checker = nlohmann::json::object();
  for (const SeedFailure& failure : failures) {
    nlohmann::json entry = {{"seed", failure.seed},
                            {"checkers", failure.checkers},
                            {"first_violation",
                             {{"checker", failure.first.checker},
                              {"time_us", failure.first.time_us},
                              {"node", failure.first.node},
                              {"detail", failure.first.detail}}},
                            {"reproduce", failure.reproduce}};
    if (request.swarm) {
      entry["nemesis"] = nemesis_to_json(swarm_scenario(base, failure.seed).nemesis);
      if (!failure.scenario_file.empty()) entry["scenario_file"] = failure.scenario_file;
    }
    list.push_back(std::move(entry));
    by_checker[failure.first.checker] = by_checker.value(failure.first.checker, 0) + 1;
  }
  out["failures"] = std::move(list);
  out["by_checker"] = std::move(by_checker);
  out["wall_seconds"] = wall_seconds;
  out["seeds_per_second"] = wall_seconds > 0 ? static_cast<double>(runs) / wall_seconds : 0.0;
  return out;
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  std::optional<SweepRequest> parsed = parse_request(args);
  if (!parsed) return exit_bad_input;
  SweepRequest request = *parsed;
  std::optional<Scenario> base = load_scenario_file(request.scenario_path);
  if (!base) return exit_bad_input;

  std::uint64_t jobs = request.jobs;
  if (jobs == 0) jobs = std::max<std::uint64_t>(1, std::thread::hardware_concurrency());
  jobs = std::min(jobs, request.seed_count());

  abort_scenario_path.store(request.scenario_path.c_str());
  abort_swarm.store(request.swarm);
  auto previous_abort_handler = std::signal(SIGABRT, report_aborted_seed);

  SweepState state;
  // With --json, stdout carries only the JSON object, so progress goes to stderr.
  ProgressDisplay progress(request.json ? stderr : stdout, request.seed_count());
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  const std::shared_ptr<const SyntheticCatalog> catalog = shared_catalog(*base, jobs);
  std::vector<std::thread> workers;
  for (std::uint64_t i = 0; i < jobs; ++i) {
    workers.emplace_back([&request, &base, &state, &catalog] { run_worker(request, *base, state, catalog); });
  }
  {
    std::unique_lock lock(state.mutex);
    while (state.completed.load() < request.seed_count()) {
      state.progressed.wait_for(lock, terminal_refresh_interval);
      progress.update(state.completed.load(), state.failed.load(), elapsed(), false);
    }
  }
  for (std::thread& worker : workers) worker.join();
  double wall_seconds = elapsed();
  progress.update(state.completed.load(), state.failed.load(), wall_seconds, true);
  std::signal(SIGABRT, previous_abort_handler);

  std::vector<SeedFailure>& failures = state.failures;
  std::sort(failures.begin(), failures.end(), [](const SeedFailure& a, const SeedFailure& b) { return a.seed < b.seed; });
  std::string stem = file_stem(*base, request.scenario_path);
  for (SeedFailure& failure : failures) {
    if (request.swarm) {
      failure.scenario_file = write_swarm_scenario(swarm_scenario(*base, failure.seed), stem, failure.seed);
      // Without the file, the sweep itself is the way back to the drawn scenario.
      failure.reproduce = failure.scenario_file.empty()
                              ? "./sim sweep " + request.scenario_path + " --swarm --jobs 1 --seeds " +
                                    std::to_string(failure.seed) + ".." + std::to_string(failure.seed)
                              : reproduce_command(failure.scenario_file, failure.seed);
    } else {
      failure.reproduce = reproduce_command(request.scenario_path, failure.seed);
    }
  }

  if (request.json) {
    std::cout << json_report(request, *base, failures, wall_seconds).dump() << "\n";
  } else {
    print_text_report(request, *base, failures, wall_seconds, jobs);
  }
  return failures.empty() ? exit_passed : exit_check_failed;
}

}  // namespace edgecache::sim
