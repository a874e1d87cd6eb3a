// Fuzz target `trace`: the simulator trace reader (sim/trace/trace_reader.h) on arbitrary text, as `sim
// view` and the ShiViz export read a trace someone hands them, perhaps cut short or edited.
//
// Method: parse the text. A refusal names a line of the text. An accepted trace must describe the text it
// came from: each event keeps its line verbatim at its line number, events come in line order after the
// header, and every node an event names has a lane in `hosts`, listed once.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "sim/trace/trace_reader.h"

namespace {

using namespace edgecache::sim;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void check_trace(const ParsedTrace& trace, std::string_view text) {
  const std::vector<std::string_view> lines = lines_of(text);
  std::size_t previous_line = 1;
  const std::set<std::string> hosts(trace.hosts.begin(), trace.hosts.end());
  EC_ASSERT(hosts.size() == trace.hosts.size(), "every host has one lane");
  for (const TraceEvent& event : trace.events) {
    EC_ASSERT(event.line > previous_line && event.line <= lines.size(), "events come in line order after the header");
    EC_ASSERT(event.text == lines[event.line - 1], "an event keeps its line as recorded");
    for (const std::string* node : {&event.node, &event.peer}) {
      EC_ASSERT(node->empty() || hosts.count(*node) == 1, "every node an event names has a lane");
    }
    previous_line = event.line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_trace(text);
  if (const auto* error = std::get_if<TraceReadError>(&parsed)) {
    EC_ASSERT(error->line >= 1 && error->line <= std::max<std::size_t>(1, lines_of(text).size()),
              "a refusal names a line of the text");
    EC_ASSERT(!error->reason.empty(), "a refusal says why");
    return 0;
  }
  check_trace(std::get<ParsedTrace>(parsed), text);
  return 0;
}
