// Reading node traces (sim/trace/node_trace.h). Traces come from RecordedCluster, which records core nodes the way
// the daemons do, and are then cut, edited or broken by hand: a complete trace reads whole, a trace whose
// process was killed (no summary, half a last line) is accepted, and every malformed line is refused with
// its file and line.

#include <catch2/catch.hpp>

#include <variant>

#include "sim/trace/node_trace.h"
#include "tests/sim/recorded_runs.h"

using namespace edgecache;
using namespace edgecache::sim;
using namespace edgecache::sim::testing;

namespace {

std::string recorded_edge_trace() {
  RecordedCluster cluster = healthy_cluster();
  play_healthy_run(cluster, 2'000'000);
  return cluster.traces_of(3).front();
}

NodeTraceError parse_error(const std::string& text) {
  auto parsed = parse_node_trace(text, "edge-3.jsonl");
  REQUIRE(std::holds_alternative<NodeTraceError>(parsed));
  return std::get<NodeTraceError>(parsed);
}

}  // namespace

TEST_CASE("node trace: a recorded edge trace reads whole, header included", "[sim][node_trace]") {
  const std::string text = recorded_edge_trace();
  auto parsed = parse_node_trace(text, "edge-3.jsonl");
  REQUIRE(std::holds_alternative<NodeTrace>(parsed));
  const NodeTrace& trace = std::get<NodeTrace>(parsed);
  CHECK(trace.header.role == NodeRole::edge);
  CHECK(trace.header.node == "edge-3");
  CHECK(trace.header.node_id == 3);
  CHECK(trace.header.random_seed == 0x5EED00 + 3 * 1000 + 1);
  CHECK(trace.header.hosts.at(4) == "canonical");
  CHECK(trace.header.edge_config.canonical == 4);
  CHECK(trace.header.edge_config.edges == std::vector<NodeId>{1, 2, 3});
  CHECK(trace.header.cache_budget_bytes == 1 << 20);
  CHECK(trace.summary.has_value());
  CHECK_FALSE(trace.last_line_cut);
  CHECK(trace.events.size() + 2 == split_lines(text).size());
  CHECK(trace.events.front().ev == "started");
  CHECK(trace.events.front().line == 2);
}

TEST_CASE("node trace: a killed process's trace is accepted without summary and without its half last line",
          "[sim][node_trace]") {
  std::vector<std::string> lines = split_lines(recorded_edge_trace());
  lines.pop_back();  // The summary.
  const std::size_t whole = lines.size();
  std::string text = join_lines(lines);
  text += lines.back().substr(0, lines.back().size() / 2);  // Half a line, no newline.
  auto parsed = parse_node_trace(text, "edge-3.jsonl");
  REQUIRE(std::holds_alternative<NodeTrace>(parsed));
  const NodeTrace& trace = std::get<NodeTrace>(parsed);
  CHECK_FALSE(trace.summary.has_value());
  CHECK(trace.last_line_cut);
  CHECK(trace.events.size() == whole - 1);
}

TEST_CASE("node trace: the daemon's summary line {\"summary\": ...} and the simulator's ev summary both end a trace",
          "[sim][node_trace]") {
  std::vector<std::string> lines = split_lines(recorded_edge_trace());
  lines.back() = R"({"ev":"summary","events":12})";
  auto parsed = parse_node_trace(join_lines(lines), "edge-3.jsonl");
  REQUIRE(std::holds_alternative<NodeTrace>(parsed));
  CHECK(std::get<NodeTrace>(parsed).summary.has_value());

  lines.push_back(lines[2]);
  NodeTraceError error = parse_error(join_lines(lines));
  CHECK(error.line == lines.size());
  CHECK_THAT(error.reason, Catch::Contains("after the summary"));
}

TEST_CASE("node trace: malformed headers and lines are refused with file and line", "[sim][node_trace]") {
  std::vector<std::string> lines = split_lines(recorded_edge_trace());

  SECTION("a header without node_id") {
    nlohmann::json header = nlohmann::json::parse(lines[0]);
    header.erase("node_id");
    lines[0] = header.dump();
    NodeTraceError error = parse_error(join_lines(lines));
    CHECK(error.message() == "edge-3.jsonl:1: header: missing \"node_id\"");
  }
  SECTION("an edge_config with a field of the wrong type") {
    nlohmann::json header = nlohmann::json::parse(lines[0]);
    header["edge_config"]["heartbeat_interval_ms"] = "fast";
    lines[0] = header.dump();
    NodeTraceError error = parse_error(join_lines(lines));
    CHECK(error.line == 1);
    CHECK_THAT(error.reason, Catch::Contains("edge_config.heartbeat_interval_ms: expected an integer"));
  }
  SECTION("a simulator trace") {
    lines[0] = R"({"format":"edgecache-trace","version":2,"seed":1,"scenario":{}})";
    CHECK_THAT(parse_error(join_lines(lines)).reason, Catch::Contains("not a node trace"));
  }
  SECTION("a random_seed written as a number, which JSON cannot hold exactly") {
    nlohmann::json header = nlohmann::json::parse(lines[0]);
    header["random_seed"] = 12345;
    lines[0] = header.dump();
    CHECK_THAT(parse_error(join_lines(lines)).reason, Catch::Contains("\"random_seed\": expected a string"));
  }
  SECTION("a send line without its digest, in the middle of the file") {
    std::size_t index = 0;
    while (nlohmann::json::parse(lines[index]).value("ev", "") != "send") ++index;
    nlohmann::json line = nlohmann::json::parse(lines[index]);
    line.erase("digest");
    lines[index] = line.dump();
    NodeTraceError error = parse_error(join_lines(lines));
    CHECK(error.line == index + 1);
    CHECK(error.reason == "send line: missing \"digest\"");
  }
  SECTION("a cut line that is not the last") {
    lines[5] = lines[5].substr(0, 10);
    NodeTraceError error = parse_error(join_lines(lines));
    CHECK(error.line == 6);
    CHECK_THAT(error.reason, Catch::Contains("not JSON"));
  }
  SECTION("an empty file") {
    CHECK(parse_error("").message() == "edge-3.jsonl:1: not an edgecache trace: the file is empty");
  }
}

TEST_CASE("node trace: a canonical's header carries its catalog", "[sim][node_trace]") {
  RecordedCluster cluster = healthy_cluster();
  cluster.start();
  cluster.run_until(1000);
  cluster.shut_down();
  auto parsed = parse_node_trace(cluster.traces_of(4).front(), "canonical.jsonl");
  REQUIRE(std::holds_alternative<NodeTrace>(parsed));
  const NodeTrace& trace = std::get<NodeTrace>(parsed);
  CHECK(trace.header.role == NodeRole::canonical);
  REQUIRE(trace.header.catalog.size() == 3);
  CHECK(trace.header.catalog[1].id == 1);
  CHECK(trace.header.catalog[1].size_bytes == 5000);
}
