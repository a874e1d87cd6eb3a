// Tests for the trace writer: each line is valid JSON whose values read back as written (text with quotes,
// backslashes and control characters included), and the hash depends on the values and their order but not
// on whether the text is written.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/trace/trace.h"

namespace edgecache::sim {
namespace {

namespace fs = std::filesystem;

// Writes the same lines into `trace`: a header, two events and a summary.
void write_lines(Trace& trace, std::string_view text) {
  trace.header({{"seed", 1}});
  Trace::Line(trace, 5, "send", "edge-1").field("to", "edge-2").field("msg_id", std::uint64_t{7}).field("ok", true);
  Trace::Line(trace, 9, "note", "edge-2").field("text", text).field("delta", std::int64_t{-3});
  trace.close({{"events", 2}});
}

TEST_CASE("trace lines are JSON that reads back, and the hash ignores whether they are written", "[sim][trace]") {
  const std::string awkward = std::string("a \"quoted\" back\\slash, tab\t, newline\n, bell\x07 and a ") + '\0' + " end";
  const fs::path path = fs::temp_directory_path() / ("trace_test_" + std::to_string(getpid()) + ".jsonl");
  Trace written;
  std::string error;
  REQUIRE(written.open(path.string(), error));
  write_lines(written, awkward);
  Trace hashed_only;
  write_lines(hashed_only, awkward);
  CHECK(written.hash() == hashed_only.hash());
  CHECK(written.lines() == 4);

  std::ifstream file(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(nlohmann::json::parse(line));
  fs::remove(path);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["format"] == trace_format_name);
  CHECK(lines[1] == nlohmann::json{{"t_us", 5}, {"ev", "send"}, {"node", "edge-1"}, {"to", "edge-2"}, {"msg_id", 7}, {"ok", true}});
  CHECK(lines[2]["text"] == awkward);
  CHECK(lines[2]["delta"] == -3);
  CHECK(lines[3]["ev"] == "summary");
}

TEST_CASE("the trace hash changes with any value and with the order of lines", "[sim][trace]") {
  auto hash_of = [](auto write) {
    Trace trace;
    write(trace);
    return trace.hash();
  };
  const std::uint64_t base = hash_of([](Trace& t) {
    Trace::Line(t, 1, "a", "n").field("k", "one");
    Trace::Line(t, 2, "b", "n").field("k", std::uint64_t{2});
  });
  CHECK(base == hash_of([](Trace& t) {
          Trace::Line(t, 1, "a", "n").field("k", "one");
          Trace::Line(t, 2, "b", "n").field("k", std::uint64_t{2});
        }));
  CHECK(base != hash_of([](Trace& t) {
          Trace::Line(t, 1, "a", "n").field("k", "onf");
          Trace::Line(t, 2, "b", "n").field("k", std::uint64_t{2});
        }));
  CHECK(base != hash_of([](Trace& t) {
          Trace::Line(t, 2, "b", "n").field("k", std::uint64_t{2});
          Trace::Line(t, 1, "a", "n").field("k", "one");
        }));
  // A field moved from one line to the next is a different trace, though the values run in the same order.
  CHECK(hash_of([](Trace& t) {
          Trace::Line(t, 1, "a", "n").field("x", std::uint64_t{5}).field("y", std::uint64_t{6});
          Trace::Line(t, 1, "a", "n");
        }) != hash_of([](Trace& t) {
          Trace::Line(t, 1, "a", "n").field("x", std::uint64_t{5});
          Trace::Line(t, 1, "a", "n").field("y", std::uint64_t{6});
        }));
}

}  // namespace
}  // namespace edgecache::sim
