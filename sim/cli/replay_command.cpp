// `sim replay TRACE`: runs a recorded trace's scenario again with the recorded seed and compares the new trace
// with the recorded one, line by line, header and summary included. A trace that reproduces proves that the
// failure it shows can be studied again at will; one that does not points at the first line where the
// simulator (or the node logic it ran) now behaves differently.
//
// The comparison streams both files, so a trace of any length replays in constant memory. A recorded line is
// parsed only when it differs from the replayed one, to tell a malformed file (exit 2) from a divergence
// (exit 1).

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/trace/trace.h"
#include "sim/trace/trace_lines.h"

namespace edgecache::sim {

namespace {

// Lines longer than this are shown as an excerpt around their first difference: a header line holds the
// whole scenario and runs to kilobytes.
constexpr std::size_t max_shown_line_chars = 240;
constexpr std::size_t shown_chars_before_difference = 80;

struct TraceHeader {
  Scenario scenario;
  std::uint64_t seed = 0;
};

// A reason the file cannot be replayed, with the 1-based line it concerns.
struct TraceError {
  std::size_t line = 0;
  std::string reason;
};

// Reads the header line: the trace format and version, the seed and the scenario, which must load as a
// scenario file would.
std::variant<TraceHeader, TraceError> read_replay_header(const std::string& text) {
  auto parsed = parse_trace_header(text);
  if (const auto* problem = std::get_if<std::string>(&parsed)) return TraceError{1, *problem};
  const nlohmann::json& header = std::get<nlohmann::json>(parsed);
  if (auto problem = trace_version_problem(header, "trace", trace_format_version)) return TraceError{1, *problem};
  if (!header.contains("seed") || !header["seed"].is_number_unsigned()) {
    return TraceError{1, "header: seed: expected a non-negative integer"};
  }
  if (!header.contains("scenario") || !header["scenario"].is_object()) {
    return TraceError{1, "header: scenario: expected an object"};
  }
  ScenarioResult loaded = parse_scenario(header["scenario"].dump());
  if (loaded.error) {
    ScenarioError error = *loaded.error;
    error.path = error.path.empty() ? "scenario" : "scenario." + error.path;
    return TraceError{1, "header: " + error.message()};
  }
  return TraceHeader{std::move(*loaded.scenario), header["seed"].get<std::uint64_t>()};
}

// Returns why `text` is not a trace event or summary line, or "" if it is one.
std::string malformed_reason(const std::string& text) {
  auto parsed = parse_event_line(text);
  const auto* problem = std::get_if<std::string>(&parsed);
  return problem != nullptr ? *problem : std::string();
}

bool is_summary_line(const std::string& text) {
  nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
  return line.is_object() && line.contains("ev") && line["ev"] == "summary";
}

// The part of `line` worth showing when it differs from its counterpart at `column`.
std::string excerpt(const std::string& line, std::size_t column) {
  if (line.size() <= max_shown_line_chars) return line;
  std::size_t start = column > shown_chars_before_difference ? column - shown_chars_before_difference : 0;
  std::size_t end = std::min(line.size(), start + max_shown_line_chars);
  return (start > 0 ? "..." : "") + line.substr(start, end - start) + (end < line.size() ? "..." : "");
}

std::size_t first_difference(const std::string& a, const std::string& b) {
  std::size_t column = 0;
  while (column < a.size() && column < b.size() && a[column] == b[column]) ++column;
  return column;
}

// Creates an empty temporary file for the replayed trace and returns its path, or "" with `error` set.
std::string make_temporary_trace(std::string& error) {
  std::string path = (std::filesystem::temp_directory_path() / "sim-replay-XXXXXX.jsonl").string();
  constexpr int suffix_length = 6;  // ".jsonl"
  int descriptor = mkstemps(path.data(), suffix_length);
  if (descriptor < 0) {
    error = "cannot create a temporary trace file " + path + ": " + std::strerror(errno);
    return "";
  }
  close(descriptor);
  return path;
}

}  // namespace

int replay_command(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].starts_with("-")) {
    std::fprintf(stderr, "usage: sim replay TRACE (see sim --help)\n");
    return exit_bad_input;
  }
  const std::string& path = args[0];
  auto fail = [&](std::size_t line, const std::string& reason) {
    std::fprintf(stderr, "%s:%zu: %s\n", path.c_str(), line, reason.c_str());
    return exit_bad_input;
  };

  std::ifstream recorded(path, std::ios::binary);
  if (!recorded) {
    std::fprintf(stderr, "%s: cannot read trace file\n", path.c_str());
    return exit_bad_input;
  }
  std::string recorded_line;
  if (!std::getline(recorded, recorded_line)) return fail(1, "empty file; not an edgecache trace");
  auto header = read_replay_header(recorded_line);
  if (const auto* error = std::get_if<TraceError>(&header)) return fail(error->line, error->reason);
  const TraceHeader& trace = std::get<TraceHeader>(header);

  std::string temporary_error;
  std::string replayed_path = make_temporary_trace(temporary_error);
  if (replayed_path.empty()) {
    std::fprintf(stderr, "%s\n", temporary_error.c_str());
    return exit_bad_input;
  }
  RunOptions options;
  options.seed = trace.seed;
  options.trace_path = replayed_path;
  RunReport report = run_scenario(trace.scenario, options);
  if (!report.trace_error.empty()) {
    std::fprintf(stderr, "%s\n", report.trace_error.c_str());
    std::filesystem::remove(replayed_path);
    return exit_bad_input;
  }

  std::ifstream replayed(replayed_path, std::ios::binary);
  std::string replayed_line;
  std::string previous_recorded_line;
  bool have_recorded = true;  // The header is already in recorded_line.
  std::size_t line_number = 0;
  for (;;) {
    bool have_replayed = static_cast<bool>(std::getline(replayed, replayed_line));
    if (line_number > 0) {
      previous_recorded_line.swap(recorded_line);
      have_recorded = static_cast<bool>(std::getline(recorded, recorded_line));
    }
    if (!have_recorded && !have_replayed) break;
    ++line_number;
    if (have_recorded && have_replayed && recorded_line == replayed_line) continue;

    // The lines differ: either the recording is not a well-formed trace, or the run diverged.
    if (have_recorded) {
      std::string reason = malformed_reason(recorded_line);
      if (!reason.empty()) {
        std::filesystem::remove(replayed_path);
        return fail(line_number, reason);
      }
    } else if (!is_summary_line(previous_recorded_line)) {
      std::filesystem::remove(replayed_path);
      return fail(line_number - 1, "the trace ends without its summary line (was it cut short?)");
    }
    std::size_t column = first_difference(recorded_line, replayed_line);
    std::printf("trace diverges at line %zu of %s", line_number, path.c_str());
    if (have_recorded && have_replayed) std::printf(" (column %zu)", column + 1);
    std::printf(":\n  expected (recorded): %s\n  actual   (replayed): %s\n",
                have_recorded ? excerpt(recorded_line, column).c_str() : "<end of trace>",
                have_replayed ? excerpt(replayed_line, column).c_str() : "<end of trace>");
    std::printf("replayed scenario %s with seed %llu; the replayed trace is kept at %s\n", trace.scenario.name.c_str(),
                static_cast<unsigned long long>(trace.seed), replayed_path.c_str());
    return exit_check_failed;
  }
  std::filesystem::remove(replayed_path);
  std::printf("trace reproduces: %zu lines, hash %s\n", line_number, format_hash(report.trace_hash).c_str());
  return exit_passed;
}

}  // namespace edgecache::sim
