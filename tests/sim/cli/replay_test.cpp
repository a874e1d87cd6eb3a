// `sim replay` and `sim --check-determinism`, tested through the built `sim` binary as a user runs them: a
// trace is recorded, then replayed as is (it must reproduce), with one event line edited (the replay must
// name that line and show both versions), cut short, or replaced by garbage (a clear error naming the file
// and the line, exit status 2). Every file lives in a directory of its own, since ctest runs test cases in
// parallel processes.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cluster.h"
#include "sim/scenario.h"
#include "sim/trace/trace.h"
#include "tests/sim/sim_command_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::ScratchDirectory;
using testing::run_sim;

// A short run that still has most kinds of line: a fault, duplicates, elections, requests. (No loss: the run
// must pass, and steady loss makes replication within a short quiet period a matter of luck.)
Scenario small_faulty_scenario() {
  Scenario scenario;
  scenario.name = "replay_test";
  scenario.seed = 11;
  scenario.duration_ms = 3000;
  scenario.cluster.edges = 3;
  scenario.cluster.clients = 2;
  scenario.catalog.images = 40;
  scenario.catalog.median_size_bytes = 4096;
  scenario.catalog.max_size_bytes = 16384;
  scenario.network.duplicate_probability = 0.02;
  scenario.network.jitter_ms = 0.5;
  scenario.workload.rate_per_s = 80;
  scenario.workload.stop_ms = 2000;
  scenario.checks.quiet_period_ms = 2000;
  Fault crash;
  crash.at_ms = 800;
  crash.kind = FaultKind::crash;
  crash.node = "leader";
  scenario.faults.push_back(crash);
  return scenario;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(file, line)) lines.push_back(line);
  return lines;
}

// A diverging replay keeps its own trace for inspection and says where; the test removes it.
void remove_kept_trace(const std::string& output) {
  const std::string marker = "the replayed trace is kept at ";
  std::size_t start = output.find(marker);
  if (start == std::string::npos) return;
  start += marker.size();
  fs::remove(output.substr(start, output.find('\n', start) - start));
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream file(path, std::ios::binary);
  for (const std::string& line : lines) file << line << "\n";
}

// Records the small scenario's trace (with seed 5, not the scenario's own, so the replay must take the seed
// from the header) and returns its report.
RunReport record(const std::string& trace_path) {
  RunOptions options;
  options.seed = 5;
  options.trace_path = trace_path;
  RunReport report = run_scenario(small_faulty_scenario(), options);
  REQUIRE(report.trace_error.empty());
  return report;
}

}  // namespace

TEST_CASE("replay: a recorded trace reproduces", "[sim][replay]") {
  ScratchDirectory scratch("replay_test", "reproduces");
  std::string trace = scratch.file("trace.jsonl");
  RunReport report = record(trace);

  CommandResult replay = run_sim({}, "replay " + trace);
  INFO(replay.output);
  CHECK(replay.status == 0);
  CHECK(replay.output ==
        "trace reproduces: " + std::to_string(report.trace_lines) + " lines, hash " + format_hash(report.trace_hash) + "\n");
}

TEST_CASE("replay: an edited event line is reported as the first divergence", "[sim][replay]") {
  ScratchDirectory scratch("replay_test", "edited");
  std::string trace = scratch.file("trace.jsonl");
  record(trace);
  std::vector<std::string> lines = read_lines(trace);
  REQUIRE(lines.size() > 300);

  // Line 200 (1-based) gets a different time; it stays a well-formed trace line.
  std::string original = lines[199];
  std::string edited = original;
  std::size_t time_start = edited.find("\"t_us\":") + 7;
  edited.insert(time_start, "9");
  lines[199] = edited;
  std::string edited_trace = scratch.file("edited.jsonl");
  write_lines(edited_trace, lines);

  CommandResult replay = run_sim({}, "replay " + edited_trace);
  INFO(replay.output);
  CHECK(replay.status == 1);
  CHECK(replay.output.find("trace diverges at line 200 of " + edited_trace) != std::string::npos);
  CHECK(replay.output.find("expected (recorded): " + edited + "\n") != std::string::npos);
  CHECK(replay.output.find("actual   (replayed): " + original + "\n") != std::string::npos);
  CHECK(replay.output.find("the replayed trace is kept at ") != std::string::npos);
  remove_kept_trace(replay.output);
}

TEST_CASE("replay: a run that now ends differently diverges at the summary line", "[sim][replay]") {
  ScratchDirectory scratch("replay_test", "summary");
  std::string trace = scratch.file("trace.jsonl");
  record(trace);
  std::vector<std::string> lines = read_lines(trace);
  std::string summary = lines.back();
  REQUIRE(summary.find("\"ev\":\"summary\"") != std::string::npos);
  std::size_t events = summary.find("\"events\":") + 9;
  lines.back() = summary.substr(0, events) + "1" + summary.substr(events);
  write_lines(trace, lines);

  CommandResult replay = run_sim({}, "replay " + trace);
  INFO(replay.output);
  CHECK(replay.status == 1);
  CHECK(replay.output.find("diverges at line " + std::to_string(lines.size()) + " ") != std::string::npos);
  remove_kept_trace(replay.output);
}

TEST_CASE("replay: files that are not well-formed traces are refused with the file and line", "[sim][replay]") {
  ScratchDirectory scratch("replay_test", "malformed");
  std::string trace = scratch.file("trace.jsonl");
  record(trace);
  std::vector<std::string> lines = read_lines(trace);

  SECTION("garbage") {
    std::string garbage = scratch.file("garbage.jsonl");
    std::ofstream(garbage, std::ios::binary) << "\x01\x02 this is not a trace\n{\"t_us\":1}\n";
    CommandResult replay = run_sim({}, "replay " + garbage);
    INFO(replay.output);
    CHECK(replay.status == 2);
    CHECK(replay.output.find(garbage + ":1: not an edgecache trace") != std::string::npos);
  }
  SECTION("a JSON header of something else") {
    std::string other = scratch.file("other.jsonl");
    std::ofstream(other, std::ios::binary) << "{\"format\":\"something-else\",\"version\":1}\n";
    CommandResult replay = run_sim({}, "replay " + other);
    INFO(replay.output);
    CHECK(replay.status == 2);
    CHECK(replay.output.find(other + ":1: not an edgecache trace") != std::string::npos);
  }
  SECTION("a header whose scenario is invalid") {
    nlohmann::json header = nlohmann::json::parse(lines[0]);
    header["scenario"]["cluster"]["edges"] = 0;
    lines[0] = header.dump();
    std::string invalid = scratch.file("invalid.jsonl");
    write_lines(invalid, lines);
    CommandResult replay = run_sim({}, "replay " + invalid);
    INFO(replay.output);
    CHECK(replay.status == 2);
    CHECK(replay.output.find(invalid + ":1: header: scenario.cluster.edges: ") != std::string::npos);
  }
  SECTION("a line that is not JSON") {
    lines[99] = "{\"t_us\":12,\"ev\":\"recv\"";
    std::string broken = scratch.file("broken.jsonl");
    write_lines(broken, lines);
    CommandResult replay = run_sim({}, "replay " + broken);
    INFO(replay.output);
    CHECK(replay.status == 2);
    CHECK(replay.output.find(broken + ":100: not a trace line") != std::string::npos);
  }
  SECTION("a trace cut short") {
    lines.resize(150);
    std::string cut = scratch.file("cut.jsonl");
    write_lines(cut, lines);
    CommandResult replay = run_sim({}, "replay " + cut);
    INFO(replay.output);
    CHECK(replay.status == 2);
    CHECK(replay.output.find(cut + ":150: the trace ends without its summary line") != std::string::npos);
  }
  SECTION("an empty file and a missing one") {
    std::string empty = scratch.file("empty.jsonl");
    std::ofstream(empty, std::ios::binary).flush();
    CommandResult replay = run_sim({}, "replay " + empty);
    CHECK(replay.status == 2);
    CHECK(replay.output.find(empty + ":1: empty file") != std::string::npos);
    CommandResult missing = run_sim({}, "replay " + scratch.file("missing.jsonl"));
    CHECK(missing.status == 2);
    CHECK(missing.output.find("missing.jsonl: cannot read trace file") != std::string::npos);
  }
}

TEST_CASE("run --check-determinism runs twice and prints both hashes", "[sim][replay]") {
  ScratchDirectory scratch("replay_test", "determinism");
  std::string scenario_path = scratch.file("scenario.json");
  std::ofstream(scenario_path, std::ios::binary) << scenario_to_json(small_faulty_scenario()).dump(2);
  RunReport report = run_scenario(small_faulty_scenario(), {});
  // A failing run would also write its trace into the current directory; this one must pass.
  REQUIRE(report.passed());

  CommandResult run = run_sim({}, scenario_path + " --check-determinism");
  INFO(run.output);
  CHECK(run.status == 0);
  std::string hash = format_hash(report.trace_hash);
  CHECK(run.output.find("determinism run 1 hash " + hash + " (" + std::to_string(report.events) + " events), run 2 hash " +
                        hash + " (" + std::to_string(report.events) + " events): identical") != std::string::npos);

  CommandResult json = run_sim({}, scenario_path + " --check-determinism --json");
  nlohmann::json parsed = nlohmann::json::parse(json.output);
  CHECK(parsed["determinism"]["deterministic"] == true);
  CHECK(parsed["determinism"]["trace_hashes"] == nlohmann::json::array({hash, hash}));
}
