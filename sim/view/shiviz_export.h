#pragma once
// Export of a trace to ShiViz's log format, for people who already study executions with ShiViz: one log
// line per trace event, each with the vector clock of its host, computed from the trace's send/receive pairs.
//
// The file follows ShiViz's convention for uploaded logs: the first line is the regular expression that
// parses a log line (named groups host, clock and event, plus t_us as an extra field), the second the
// delimiter between executions (empty: a trace is one execution), then the log.

#include <string>

#include "sim/trace/trace_reader.h"

namespace edgecache::sim {

// The host that ShiViz lines name for events that belong to no node (a partition, a skipped fault).
constexpr const char* shiviz_cluster_host = "simulator";

// The regular expression written as the export's first line.
constexpr const char* shiviz_parser_regex = R"((?<host>\S+) (?<clock>\{[^}]*\}) t_us=(?<t_us>\d+) (?<event>.*))";

// Renders the whole export. A receive merges the clock its send had; a send whose receive is not in the trace
// (lost, or the trace was cut short) only advances its host's clock. Traces before format version 2 have no
// message ids: a receive is then paired with the oldest unmatched send of the same kind on the same link.
std::string export_shiviz(const ParsedTrace& trace);

}  // namespace edgecache::sim
