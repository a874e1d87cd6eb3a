// `sim replay-node` and the NodeReplay behind it. Method: RecordedCluster runs real core nodes with a
// recording Env that behaves as the daemon's (frozen clock per event, the daemons' seeded random stream,
// timers numbered from 1, Lamport stamps) and writes with the daemons' trace writer, so its traces are what a
// daemon writes. A trace must replay clean in
// process and through the built binary; an output line whose digest is edited must be reported at that line
// with both versions; a trace cut short by a kill is accepted; malformed files and non-core traces are
// refused with exit status 2.

#include <catch2/catch.hpp>

#include <variant>

#include "sim/recorded/node_replay.h"
#include "sim/trace/node_trace.h"
#include "tests/sim/recorded_runs.h"

using namespace edgecache;
using namespace edgecache::sim;
using namespace edgecache::sim::testing;

namespace {

RecordedCluster recorded_run() {
  RecordedCluster cluster = healthy_cluster();
  play_healthy_run(cluster, 3'000'000);
  return cluster;
}

NodeTrace parsed(const std::string& text, const std::string& path) {
  auto result = parse_node_trace(text, path);
  if (auto* error = std::get_if<NodeTraceError>(&result)) FAIL(error->message());
  return std::get<NodeTrace>(result);
}

// The index in `lines` of the `nth` (from 0) line whose ev is `ev`.
std::size_t nth_line(const std::vector<std::string>& lines, const std::string& ev, int nth) {
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (nlohmann::json::parse(lines[i]).value("ev", "") == ev && nth-- == 0) return i;
  }
  FAIL("no such line");
  return 0;
}

}  // namespace

TEST_CASE("node replay: every edge and the canonical reproduce their recorded outputs", "[sim][node_replay]") {
  RecordedCluster cluster = recorded_run();
  for (NodeId id : {1U, 2U, 3U, 4U}) {
    NodeTrace trace = parsed(cluster.traces_of(id).front(), cluster.name(id) + ".jsonl");
    NodeReplayResult result = replay_node_trace(trace);
    INFO(cluster.name(id) << ": " << (result.problem ? result.problem->expected + " / " + result.problem->actual : ""));
    CHECK_FALSE(result.problem.has_value());
    // The canonical serves each of the three images once: edges coalesce and replicate the rest.
    CHECK(result.inputs >= (id == 4 ? 4U : 10U));
    CHECK(result.outputs >= (id == 4 ? 3U : 10U));
  }
}

TEST_CASE("node replay: an edited digest is a divergence at its line, with both versions", "[sim][node_replay]") {
  RecordedCluster cluster = recorded_run();
  std::vector<std::string> lines = split_lines(cluster.traces_of(3).front());
  const std::size_t index = nth_line(lines, "send", 7);
  nlohmann::ordered_json line = nlohmann::ordered_json::parse(lines[index]);
  const std::string digest = line["digest"];
  line["digest"] = std::string(digest.size(), digest[0] == '0' ? '1' : '0');
  lines[index] = line.dump();

  NodeReplayResult result = replay_node_trace(parsed(join_lines(lines), "edge-3.jsonl"));
  REQUIRE(result.problem.has_value());
  CHECK(result.problem->kind == ReplayProblem::Kind::divergence);
  CHECK(result.problem->line == index + 1);
  CHECK(result.problem->expected == lines[index]);
  CHECK_THAT(result.problem->actual, Catch::Contains(digest));
}

TEST_CASE("node replay: a replayed output is shown in the trace's own words", "[sim][node_replay]") {
  RecordedCluster cluster = recorded_run();
  NodeTrace trace = parsed(cluster.traces_of(3).front(), "edge-3.jsonl");
  NodeReplay replay(trace);
  ReplayedOutput output;
  output.ev = "send";
  output.to = 4;
  output.message = SizeReply{7, 2, Status::ok, 300};
  CHECK_THAT(replay.describe(output),
             Catch::StartsWith(R"({"ev":"send","to":"canonical","to_id":4,"msg":"size_reply","req":7,"image":2,"status":"ok","size":300,"digest":")"));
  ReplayedOutput timer;
  timer.ev = "timer_set";
  timer.timer_id = 12;
  timer.timer = Timer{TimerKind::origin_timeout, 5};
  timer.delay_us = 1000;
  CHECK(replay.describe(timer) == R"({"ev":"timer_set","timer_id":12,"timer":"origin_timeout","key":5,"delay_us":1000})");
}

TEST_CASE("node replay: a missing output and an extra output are divergences", "[sim][node_replay]") {
  RecordedCluster cluster = recorded_run();
  std::vector<std::string> lines = split_lines(cluster.traces_of(2).front());

  SECTION("a timer_set line removed: the node's call meets the next recorded line instead") {
    const std::size_t index = nth_line(lines, "timer_set", 3);
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(index));
    NodeReplayResult result = replay_node_trace(parsed(join_lines(lines), "edge-2.jsonl"));
    REQUIRE(result.problem.has_value());
    CHECK(result.problem->line == index + 1);
  }
  SECTION("a timer that fires under an id the node never started") {
    lines = split_lines(cluster.traces_of(3).front());  // The leader's heartbeat timers fire; followers' rarely do.
    const std::size_t index = nth_line(lines, "timer", 2);
    nlohmann::ordered_json line = nlohmann::ordered_json::parse(lines[index]);
    line["timer_id"] = 99999;
    lines[index] = line.dump();
    NodeReplayResult result = replay_node_trace(parsed(join_lines(lines), "edge-3.jsonl"));
    REQUIRE(result.problem.has_value());
    CHECK(result.problem->line == index + 1);
    CHECK(result.problem->actual == "timer 99999 is not running in the replayed node");
  }
  SECTION("a send line duplicated: the node made no such second call") {
    const std::size_t index = nth_line(lines, "send", 2);
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(index), lines[index]);
    NodeReplayResult result = replay_node_trace(parsed(join_lines(lines), "edge-2.jsonl"));
    REQUIRE(result.problem.has_value());
    CHECK(result.problem->line == index + 2);
  }
}

TEST_CASE("node replay: outputs after the last line of a killed process's trace are unknown, not wrong",
          "[sim][node_replay]") {
  RecordedCluster cluster = recorded_run();
  std::vector<std::string> lines = split_lines(cluster.traces_of(1).front());
  // Keep everything up to the second output of some input: its remaining outputs were never written.
  const std::size_t index = nth_line(lines, "send", 20);
  lines.resize(index + 1);
  std::string text = join_lines(lines) + R"({"t_us":12,"wall)";
  NodeTrace trace = parsed(text, "edge-1.jsonl");
  CHECK(trace.last_line_cut);
  NodeReplayResult result = replay_node_trace(trace);
  CHECK_FALSE(result.problem.has_value());

  // The same lines with a summary claim a clean shutdown, so the outputs the node made after the cut but
  // that are missing from the file are a divergence.
  std::vector<std::string> all = split_lines(cluster.traces_of(1).front());
  bool outputs_follow = false;
  for (std::size_t i = index + 1; i < all.size(); ++i) {
    const std::string ev = nlohmann::json::parse(all[i]).value("ev", "");
    if (is_input_event(ev)) break;
    outputs_follow = outputs_follow || is_output_event(ev);
  }
  NodeReplayResult closed = replay_node_trace(parsed(join_lines(lines) + "{\"summary\":{}}\n", "edge-1.jsonl"));
  CHECK(closed.problem.has_value() == outputs_follow);
}

TEST_CASE("node replay: an edge restarted with its disk cache starts from the recorded preloaded images",
          "[sim][node_replay]") {
  RecordedCluster cluster = healthy_cluster();
  cluster.start();
  play_requests(cluster);
  cluster.crash_at(2'000'000, 3, true);
  cluster.restart_at(2'200'000, 3);
  for (int i = 0; i < 6; ++i) cluster.request_image(2'500'000 + i * 10'000, 3, static_cast<ImageId>(i % 3));
  cluster.run_until(4'000'000);
  cluster.shut_down();
  std::vector<std::string> texts = cluster.traces_of(3);
  REQUIRE(texts.size() == 2);
  NodeTrace restarted = parsed(texts[1], "edge-3.2.jsonl");
  REQUIRE(restarted.header.preloaded.size() == 3);
  NodeReplayResult result = replay_node_trace(restarted);
  INFO((result.problem ? result.problem->expected + " / " + result.problem->actual : ""));
  CHECK_FALSE(result.problem.has_value());

  // Without the preloaded images the replayed edge misses where the recorded one hit.
  restarted.header.preloaded.clear();
  CHECK(replay_node_trace(restarted).problem.has_value());
}

TEST_CASE("sim replay-node: reproduces, reports a divergence, accepts a cut trace, refuses bad files",
          "[sim][node_replay][cli]") {
  ScratchDirectory directory("node_replay_test", "cli");
  RecordedCluster cluster = recorded_run();
  std::vector<std::string> paths = write_traces(cluster, directory, {1, 2, 3, 4});
  const std::string edge = directory.file("edge-3.jsonl");

  SECTION("a recorded trace reproduces") {
    CommandResult result = run_sim("", "replay-node '" + edge + "'");
    INFO(result.output);
    CHECK(result.status == 0);
    CHECK_THAT(result.output, Catch::StartsWith("edge-3: ") && Catch::Contains("outputs reproduced"));
  }
  SECTION("every core trace of a directory, clients passed over; --node picks one") {
    CommandResult all = run_sim("", "replay-node" + quoted_paths(paths));
    INFO(all.output);
    CHECK(all.status == 0);
    for (const char* node : {"edge-1: ", "edge-2: ", "edge-3: ", "canonical: "}) CHECK_THAT(all.output, Catch::Contains(node));
    CommandResult one = run_sim("", "replay-node" + quoted_paths(paths) + " --node edge-2 --json", true);
    INFO(one.output);
    CHECK(one.status == 0);
    nlohmann::json report = nlohmann::json::parse(one.output);
    CHECK(report["reproduced"] == true);
    REQUIRE(report["traces"].size() == 1);
    CHECK(report["traces"][0]["node"] == "edge-2");
    CHECK(report["traces"][0]["result"] == "reproduced");
  }
  SECTION("an edited digest is reported at its line") {
    std::vector<std::string> lines = split_lines(cluster.traces_of(3).front());
    const std::size_t index = nth_line(lines, "send", 4);
    nlohmann::ordered_json line = nlohmann::ordered_json::parse(lines[index]);
    line["digest"] = "0123456789abcdef";
    lines[index] = line.dump();
    write_file(edge, join_lines(lines));
    CommandResult result = run_sim("", "replay-node '" + edge + "'");
    INFO(result.output);
    CHECK(result.status == 1);
    CHECK_THAT(result.output, Catch::Contains("edge-3.jsonl:" + std::to_string(index + 1)));
    CHECK_THAT(result.output, Catch::Contains("recorded: " + lines[index]));
    CHECK_THAT(result.output, Catch::Contains("replayed: {\"ev\":\"send\""));
  }
  SECTION("a trace cut short by a kill is accepted") {
    std::string text = cluster.traces_of(3).front();
    text.resize(text.size() * 2 / 3);
    write_file(edge, text);
    CommandResult result = run_sim("", "replay-node '" + edge + "'");
    INFO(result.output);
    CHECK(result.status == 0);
    CHECK_THAT(result.output, Catch::Contains("without a summary line"));
  }
  SECTION("a malformed header is exit status 2 with file and line") {
    std::vector<std::string> lines = split_lines(cluster.traces_of(3).front());
    lines[0] = lines[0].substr(0, lines[0].size() - 1) + ",\"role\":\"router\"}";
    write_file(edge, join_lines(lines));
    CommandResult result = run_sim("", "replay-node '" + edge + "'");
    INFO(result.output);
    CHECK(result.status == 2);
    CHECK_THAT(result.output, Catch::Contains(edge + ":1: header: \"role\": expected edge, canonical, client or controller"));
  }
  SECTION("a client trace is not a core node") {
    CommandResult result = run_sim("", "replay-node '" + directory.file("client-1.jsonl") + "'");
    CHECK(result.status == 2);
    CHECK_THAT(result.output, Catch::Contains("not a core node; nothing to replay"));
  }
  SECTION("a missing file") {
    CommandResult result = run_sim("", "replay-node '" + directory.file("absent.jsonl") + "'");
    CHECK(result.status == 2);
    CHECK_THAT(result.output, Catch::Contains("absent.jsonl: cannot read the file"));
  }
}
