// `sim view`: the viewer page and the ShiViz export. A small faulty run (a crash, a pause, a partition,
// duplicated messages) is traced in-process; the pure functions then build the page and the export from the
// parsed trace, and the tests read them back as a user's tools would: the page's embedded JSON must hold
// every event and a lane for every node, and the ShiViz log must have one well-formed line per event whose
// vector clocks order every send before its receive. The command itself is run through the built binary for
// what only it does: files, the --html shortcut and bad input (exit 2, naming the file and line). How the
// page renders in a browser is tested by tests/sim/view/viewer_browser_test.sh in headless Chromium.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cluster.h"
#include "sim/scenario.h"
#include "sim/trace/trace_reader.h"
#include "sim/view/shiviz_export.h"
#include "sim/view/viewer_page.h"
#include "tests/sim/sim_command_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::ScratchDirectory;
using testing::run_sim;

Scenario faulty_scenario() {
  Scenario scenario;
  scenario.name = "view_test";
  scenario.seed = 5;
  scenario.duration_ms = 3000;
  scenario.cluster.edges = 3;
  scenario.cluster.clients = 2;
  scenario.catalog.images = 40;
  scenario.catalog.median_size_bytes = 4096;
  scenario.catalog.max_size_bytes = 16384;
  scenario.network.duplicate_probability = 0.05;
  scenario.network.jitter_ms = 0.5;
  scenario.workload.rate_per_s = 80;
  scenario.workload.stop_ms = 2000;
  scenario.checks.quiet_period_ms = 1000;
  auto add = [&](std::int64_t at_ms, FaultKind kind, std::string node) {
    Fault fault;
    fault.at_ms = at_ms;
    fault.kind = kind;
    fault.node = std::move(node);
    scenario.faults.push_back(fault);
  };
  add(500, FaultKind::crash, "edge-3");
  add(900, FaultKind::pause, "edge-1");
  add(1200, FaultKind::resume, "edge-1");
  Fault partition;
  partition.at_ms = 1400;
  partition.kind = FaultKind::partition;
  partition.groups = {{"edge-1", "client-1", "client-2"}, {"edge-2", "canonical"}};
  scenario.faults.push_back(partition);
  add(1800, FaultKind::heal, "");
  add(2000, FaultKind::restart, "edge-3");
  return scenario;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Runs the faulty scenario with its trace written into `scratch` and returns the trace's text.
std::string traced_run_text(const ScratchDirectory& scratch) {
  RunOptions options;
  options.trace_path = scratch.file("trace.jsonl");
  RunReport report = run_scenario(faulty_scenario(), options);
  REQUIRE(report.trace_error.empty());
  return read_file(options.trace_path);
}

ParsedTrace parse_or_fail(const std::string& text) {
  auto parsed = parse_trace(text);
  if (const auto* error = std::get_if<TraceReadError>(&parsed)) FAIL("line " << error->line << ": " << error->reason);
  return std::get<ParsedTrace>(std::move(parsed));
}

// The JSON the page embeds, taken back out of the page the way its script does.
nlohmann::json embedded_data(const std::string& page) {
  const std::string open = std::string("<script type=\"application/json\" id=\"") + viewer_data_element_id + "\">";
  std::size_t start = page.find(open);
  REQUIRE(start != std::string::npos);
  start += open.size();
  std::size_t end = page.find("</script>", start);
  REQUIRE(end != std::string::npos);
  return nlohmann::json::parse(page.substr(start, end - start));
}

}  // namespace

TEST_CASE("the viewer page embeds every event and a lane for every node", "[sim][view]") {
  ScratchDirectory scratch("view_test", "page");
  ParsedTrace trace = parse_or_fail(traced_run_text(scratch));
  REQUIRE(trace.events.size() > 500);
  std::string page = render_viewer_page(trace);

  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(page.find("<canvas id=\"diagram\"") != std::string::npos);
  CHECK(page.find("id=\"viewer-status\"") != std::string::npos);
  CHECK(page.find("{{") == std::string::npos);  // Every placeholder was filled.
  // Self-contained: nothing is fetched from anywhere.
  CHECK(page.find("http://") == std::string::npos);
  CHECK(page.find("https://") == std::string::npos);
  CHECK(page.find(" src=") == std::string::npos);

  nlohmann::json data = embedded_data(page);
  CHECK(data["hosts"] == nlohmann::json({"edge-1", "edge-2", "edge-3", "canonical", "client-1", "client-2"}));
  REQUIRE(data["events"].size() == trace.events.size());
  CHECK(data["header"]["scenario"]["name"] == "view_test");
  CHECK(data["summary"]["ev"] == "summary");
  std::map<std::string, std::size_t> by_kind;
  for (const auto& event : data["events"]) ++by_kind[event["ev"].get<std::string>()];
  CHECK(by_kind["send"] > 0);
  CHECK(by_kind["recv"] > 0);
  CHECK(by_kind["crashed"] == 1);
  CHECK(by_kind["paused"] == 1);
  CHECK(by_kind["state"] > 0);
  // The trace format links every delivery to its send by msg_id, and a duplicate's copies share it.
  std::map<std::uint64_t, std::string> sent_fate;
  std::size_t received_duplicates = 0;
  for (const auto& event : data["events"]) {
    if (event["ev"] == "send") sent_fate[event["msg_id"].get<std::uint64_t>()] = event["fate"].get<std::string>();
    if (event["ev"] == "recv") {
      REQUIRE(sent_fate.count(event["msg_id"].get<std::uint64_t>()) == 1);
      received_duplicates += sent_fate[event["msg_id"].get<std::uint64_t>()] == "duplicated";
    }
  }
  CHECK(received_duplicates > 0);

  // The same trace gives the same page, byte for byte.
  CHECK(render_viewer_page(parse_or_fail(read_file(scratch.file("trace.jsonl")))) == page);
}

TEST_CASE("a violation points at the event it was found at, which the page can show", "[sim][view]") {
  // Two expectations that cannot hold make two violations at the end of the run; both must point at the
  // run's last event, not at each other.
  ScratchDirectory scratch("view_test", "violation");
  Scenario scenario = faulty_scenario();
  scenario.expect.min_leader_changes = 1000;
  scenario.expect.min_evictions = 1000000;
  RunOptions options;
  options.trace_path = scratch.file("trace.jsonl");
  RunReport report = run_scenario(scenario, options);
  REQUIRE(report.violations.size() == 2);
  ParsedTrace trace = parse_or_fail(read_file(options.trace_path));
  std::vector<const TraceEvent*> violations;
  for (const TraceEvent& event : trace.events) {
    if (event.ev == "violation") violations.push_back(&event);
  }
  REQUIRE(violations.size() == 2);
  for (const TraceEvent* violation : violations) {
    nlohmann::json line = nlohmann::json::parse(violation->text);
    const std::size_t event_line = line["event_line"].get<std::size_t>();
    // Event i of the parsed trace is file line i + 2: the header is line 1.
    REQUIRE(event_line >= 2);
    REQUIRE(event_line - 2 < trace.events.size());
    const TraceEvent& cause = trace.events[event_line - 2];
    CHECK(cause.line == event_line);
    CHECK(cause.ev != "violation");
    CHECK(event_line < violations.front()->line);
  }
  nlohmann::json data = embedded_data(render_viewer_page(trace));
  CHECK(data["summary"]["violations"] == 2);
}

TEST_CASE("text that would close the page's script element is escaped in the embedded data", "[sim][view]") {
  std::string text =
      "{\"format\":\"edgecache-trace\",\"version\":2,\"hosts\":[{\"id\":1,\"name\":\"edge-1\"}]}\n"
      "{\"t_us\":5,\"ev\":\"violation\",\"node\":\"edge-1\",\"checker\":\"x\",\"detail\":\"</script><b>\",\"event_line\":1}\n"
      "{\"t_us\":9,\"ev\":\"timer\",\"node\":\"real-host\",\"timer\":\"heartbeat\",\"key\":0}\n";
  ParsedTrace trace = parse_or_fail(text);
  CHECK(trace.hosts == std::vector<std::string>{"edge-1", "real-host"});  // Lanes for nodes the header lacks.
  CHECK_FALSE(trace.summary.has_value());
  std::string page = render_viewer_page(trace);
  nlohmann::json data = embedded_data(page);
  CHECK(data["events"][0]["detail"] == "</script><b>");
  CHECK(data["hosts"].size() == 2);
  CHECK(data["summary"].is_null());
}

TEST_CASE("the ShiViz export has one line per event with vector clocks that order sends before receives",
          "[sim][view]") {
  ScratchDirectory scratch("view_test", "shiviz");
  ParsedTrace trace = parse_or_fail(traced_run_text(scratch));
  std::string log = export_shiviz(trace);

  std::istringstream lines(log);
  std::string line;
  REQUIRE(std::getline(lines, line));
  CHECK(line == shiviz_parser_regex);
  REQUIRE(std::getline(lines, line));
  CHECK(line.empty());  // No delimiter: one execution.

  // The ShiViz regex with its named groups made plain, as std::regex has no names.
  const std::regex parser(R"(^(\S+) (\{[^}]*\}) t_us=(\d+) (.*)$)");
  std::vector<nlohmann::json> clocks;
  std::map<std::string, std::uint64_t> last_own_entry;
  while (std::getline(lines, line)) {
    std::smatch match;
    REQUIRE(std::regex_match(line, match, parser));
    const std::size_t index = clocks.size();
    REQUIRE(index < trace.events.size());
    const TraceEvent& event = trace.events[index];
    const std::string host = event.node.empty() ? shiviz_cluster_host : event.node;
    CHECK(match[1] == host);
    CHECK(std::stoll(match[3]) == event.t_us);
    CHECK(match[4].str().starts_with(event.ev));
    nlohmann::json clock = nlohmann::json::parse(match[2].str());
    REQUIRE(clock.is_object());
    // ShiViz requires each host's own entry to start at 1 and grow by exactly one per event.
    REQUIRE(clock.contains(host));
    CHECK(clock[host].get<std::uint64_t>() == last_own_entry[host] + 1);
    last_own_entry[host] = clock[host].get<std::uint64_t>();
    clocks.push_back(std::move(clock));
  }
  REQUIRE(clocks.size() == trace.events.size());

  auto entry = [](const nlohmann::json& clock, const std::string& host) {
    return clock.contains(host) ? clock[host].get<std::uint64_t>() : std::uint64_t{0};
  };
  std::map<std::uint64_t, std::size_t> send_of;
  std::size_t pairs = 0;
  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    const TraceEvent& event = trace.events[i];
    if (event.ev == "send") send_of[*event.message_id] = i;
    if (event.ev != "recv") continue;
    const nlohmann::json& sent = clocks[send_of.at(*event.message_id)];
    const nlohmann::json& received = clocks[i];
    // Happens-before: the receive's clock dominates the send's everywhere and exceeds it at the receiver.
    for (const auto& [host, value] : sent.items()) CHECK(entry(received, host) >= value.get<std::uint64_t>());
    CHECK(entry(received, event.node) > entry(sent, event.node));
    ++pairs;
  }
  CHECK(pairs > 100);
}

TEST_CASE("sim view writes the page and the ShiViz log, and --html draws a run directly", "[sim][view]") {
  ScratchDirectory scratch("view_test", "command");
  const std::string scenario = std::string(EDGECACHE_SOURCE_DIR) + "/scenarios/leader_crash.json";
  CommandResult run = run_sim(scratch.path(), scenario + " --trace trace.jsonl");
  INFO(run.output);
  REQUIRE(run.status == 0);

  CommandResult view = run_sim(scratch.path(), "view trace.jsonl -o run.html --shiviz run.log");
  INFO(view.output);
  REQUIRE(view.status == 0);
  std::string page = read_file(scratch.file("run.html"));
  nlohmann::json data = embedded_data(page);
  CHECK(data["hosts"] == nlohmann::json({"edge-1", "edge-2", "edge-3", "canonical", "client-1", "client-2"}));
  CHECK(data["header"]["scenario"]["name"] == "leader_crash");
  std::string log = read_file(scratch.file("run.log"));
  CHECK(log.starts_with(std::string(shiviz_parser_regex) + "\n\n"));
  CHECK(static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n')) == data["events"].size() + 2);

  // The shortcut runs the scenario and writes the same page, leaving no temporary trace behind.
  CommandResult shortcut = run_sim(scratch.path(), scenario + " --html direct.html");
  INFO(shortcut.output);
  REQUIRE(shortcut.status == 0);
  CHECK(read_file(scratch.file("direct.html")) == page);
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(scratch.path())) files += entry.is_regular_file();
  CHECK(files == 4);  // trace.jsonl, run.html, run.log, direct.html
}

TEST_CASE("sim view refuses a missing or malformed trace, naming the file and line", "[sim][view]") {
  ScratchDirectory scratch("view_test", "bad_input");
  SECTION("missing") {
    CommandResult view = run_sim(scratch.path(), "view no-such-trace.jsonl -o out.html");
    INFO(view.output);
    CHECK(view.status == 2);
    CHECK(view.output.find("no-such-trace.jsonl: cannot read trace file") != std::string::npos);
  }
  SECTION("garbage") {
    std::ofstream(scratch.file("garbage.jsonl"), std::ios::binary) << "\x01\x02 this is not a trace\n";
    CommandResult view = run_sim(scratch.path(), "view garbage.jsonl --shiviz out.log");
    INFO(view.output);
    CHECK(view.status == 2);
    CHECK(view.output.find("garbage.jsonl:1: not an edgecache trace") != std::string::npos);
  }
  SECTION("a malformed event line") {
    std::ofstream(scratch.file("cut.jsonl"), std::ios::binary)
        << "{\"format\":\"edgecache-trace\",\"version\":2}\n{\"t_us\":1,\"ev\":\"timer\",\"node\":\"edge-1\"}\n{\"t_us\":2,\"ev\":";
    CommandResult view = run_sim(scratch.path(), "view cut.jsonl -o out.html");
    INFO(view.output);
    CHECK(view.status == 2);
    CHECK(view.output.find("cut.jsonl:3: not a trace line: not JSON") != std::string::npos);
  }
  SECTION("no output asked for") {
    CommandResult view = run_sim(scratch.path(), "view trace.jsonl");
    INFO(view.output);
    CHECK(view.status == 2);
    CHECK(view.output.find("nothing to write") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(scratch.file("out.html")));
  CHECK_FALSE(fs::exists(scratch.file("out.log")));
}
