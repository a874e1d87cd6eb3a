#pragma once
// The trace viewer's page: one self-contained HTML file (no network fetch, no build step) that draws a
// trace as a space-time diagram. The page's HTML, CSS and script live in sim/view/ as ordinary files and
// are compiled into the binary (the build turns them into a generated header); the trace goes into the page
// as JSON. Pure: the page depends only on the parsed trace, so the same trace gives the same bytes.

#include <string>

#include "sim/trace/trace_reader.h"

namespace edgecache::sim {

// The id of the element that holds the trace data in the page, for tests and for readers of the file.
constexpr const char* viewer_data_element_id = "trace-data";

std::string render_viewer_page(const ParsedTrace& trace);

}  // namespace edgecache::sim
