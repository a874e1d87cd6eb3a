// Fuzz target `node_trace`: the node trace reader (sim/trace/node_trace.h) on arbitrary text, as `sim
// check`, `sim replay-node` and `sim from-trace` read the traces daemons left behind, perhaps cut short by
// a crash. The reader promises that an accepted event line carries the fields its kind needs, so the tools
// behind it may use json.at(); the first of them, the causal merge (sim/trace/trace_merge.h), runs on every
// accepted trace here.
//
// Method: parse the text. A refusal names the file and a line of the text. An accepted trace keeps its
// events in line order, and merging it with a copy of itself (two nodes whose sends and receipts may pair
// up, or contradict each other) must place every event of both exactly once, each trace's in its own order.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "sim/trace/node_trace.h"
#include "sim/trace/trace_merge.h"

namespace {

using namespace edgecache::sim;

const std::string trace_path = "fuzz-input.jsonl";

void check_merge(const NodeTrace& trace) {
  const std::vector<NodeTrace> traces = {trace, trace};
  const MergedOrder merged = merge_node_traces(traces);
  EC_ASSERT(merged.events.size() == 2 * trace.events.size(), "the merge places every event");
  std::vector<std::size_t> next_event(traces.size(), 0);
  for (const MergedEvent& placed : merged.events) {
    EC_ASSERT(placed.trace < traces.size(), "a merged event comes from a trace given");
    EC_ASSERT(placed.event == next_event[placed.trace], "the merge keeps each trace's own order, once each");
    ++next_event[placed.trace];
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_node_trace(text, trace_path);
  if (const auto* error = std::get_if<NodeTraceError>(&parsed)) {
    const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    EC_ASSERT(error->line >= 1 && error->line <= lines, "a refusal names a line of the text");
    EC_ASSERT(!error->reason.empty() && error->message().starts_with(trace_path + ":"), "a refusal names the file and says why");
    return 0;
  }
  const NodeTrace& trace = std::get<NodeTrace>(parsed);
  std::size_t previous_line = 1;
  for (const NodeTraceEvent& event : trace.events) {
    EC_ASSERT(event.line > previous_line, "events come in line order after the header");
    previous_line = event.line;
  }
  check_merge(trace);
  return 0;
}
