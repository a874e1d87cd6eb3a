// Merging node traces into one causal order (sim/trace/trace_merge.h). Method: RecordedCluster records a run in
// which one machine's wall clock runs far behind the others, so ordering by wall clock alone would put many
// receipts before their sends; the merge must place every receipt after its send, keep each trace's own
// order, and find every send (none missing, no cycle to break).

#include <catch2/catch.hpp>

#include <map>
#include <variant>

#include "sim/trace/trace_merge.h"
#include "tests/sim/recorded_runs.h"

using namespace edgecache;
using namespace edgecache::sim;
using namespace edgecache::sim::testing;

namespace {

std::vector<NodeTrace> parsed_traces(const RecordedCluster& cluster, const std::vector<NodeId>& nodes) {
  std::vector<NodeTrace> traces;
  for (NodeId id : nodes) {
    for (const std::string& text : cluster.traces_of(id)) {
      auto result = parse_node_trace(text, cluster.name(id));
      REQUIRE(std::holds_alternative<NodeTrace>(result));
      traces.push_back(std::get<NodeTrace>(std::move(result)));
    }
  }
  return traces;
}

}  // namespace

TEST_CASE("trace merge: a receipt never precedes its send, however wrong the receiver's wall clock",
          "[sim][trace_merge]") {
  RecordedCluster cluster = healthy_cluster();
  cluster.set_wall_offset(2, -200'000);  // edge-2's machine is 200 ms behind.
  cluster.start();
  play_requests(cluster);
  cluster.run_until(2'000'000);
  cluster.shut_down();
  std::vector<NodeTrace> traces = parsed_traces(cluster, {1, 2, 3, 4});

  MergedOrder order = merge_node_traces(traces);
  CHECK(order.sends_missing == 0);
  CHECK(order.forced == 0);
  std::size_t total = 0;
  for (const NodeTrace& trace : traces) total += trace.events.size();
  REQUIRE(order.events.size() == total);

  // Position of every send by (sender, lamport), then every recv checked against it.
  std::map<std::pair<std::string, std::uint64_t>, std::size_t> send_position;
  std::vector<std::size_t> next_in_trace(traces.size(), 0);
  std::size_t receipts = 0;
  for (std::size_t position = 0; position < order.events.size(); ++position) {
    const MergedEvent& at = order.events[position];
    CHECK(at.event == next_in_trace[at.trace]++);
    const NodeTraceEvent& event = traces[at.trace].events[at.event];
    if (event.ev == "send") send_position[{traces[at.trace].header.node, event.lamport}] = position;
    if (event.ev != "recv" || event.json["sent_lamport"] == 0) continue;
    const std::string sender = traces[at.trace].header.hosts.at(event.json["from_id"].get<NodeId>());
    auto send = send_position.find({sender, event.json["sent_lamport"].get<std::uint64_t>()});
    CHECK(send != send_position.end());
    ++receipts;
  }
  CHECK(receipts > 100);
}

TEST_CASE("trace merge: a receipt whose sender left no trace is placed by its wall clock and counted",
          "[sim][trace_merge]") {
  RecordedCluster cluster = healthy_cluster();
  cluster.start();
  cluster.run_until(1'000'000);
  cluster.shut_down();
  std::vector<NodeTrace> traces = parsed_traces(cluster, {1, 2});  // edge-3 and the canonical are lost.
  MergedOrder order = merge_node_traces(traces);
  CHECK(order.sends_missing > 0);
  CHECK(order.forced == 0);
  for (std::size_t i = 1; i < order.events.size(); ++i) {
    const NodeTraceEvent& before = traces[order.events[i - 1].trace].events[order.events[i - 1].event];
    const NodeTraceEvent& after = traces[order.events[i].trace].events[order.events[i].event];
    // With one clock and nothing to wait for, the order is the wall clock's.
    CHECK(before.wall_us <= after.wall_us);
  }
}
