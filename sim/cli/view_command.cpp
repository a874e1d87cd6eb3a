// `sim view TRACE -o run.html [--shiviz out.log]`: reads a recorded trace and writes the viewer page and/or
// the ShiViz export. This file does the files; the page and the export are built by pure functions
// (sim/view/viewer_page.h, sim/view/shiviz_export.h) from the parsed trace.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/trace/trace_reader.h"
#include "sim/view/shiviz_export.h"
#include "sim/view/viewer_page.h"

namespace edgecache::sim {

namespace {

bool write_view_file(const std::string& path, const std::string& text) {
  if (write_text_file(path, text)) return true;
  std::fprintf(stderr, "%s: cannot write file: %s\n", path.c_str(), std::strerror(errno));
  return false;
}

}  // namespace

int write_trace_views(const std::string& trace_path, const std::string& html_path, const std::string& shiviz_path) {
  std::optional<std::string> text = read_text_file(trace_path);
  if (!text) {
    std::fprintf(stderr, "%s: cannot read trace file: %s\n", trace_path.c_str(), std::strerror(errno));
    return exit_bad_input;
  }
  std::variant<ParsedTrace, TraceReadError> parsed = parse_trace(*text);
  if (const auto* error = std::get_if<TraceReadError>(&parsed)) {
    std::fprintf(stderr, "%s:%zu: %s\n", trace_path.c_str(), error->line, error->reason.c_str());
    return exit_bad_input;
  }
  const ParsedTrace& trace = std::get<ParsedTrace>(parsed);
  if (!html_path.empty() && !write_view_file(html_path, render_viewer_page(trace))) return exit_bad_input;
  if (!shiviz_path.empty() && !write_view_file(shiviz_path, export_shiviz(trace))) return exit_bad_input;
  return exit_passed;
}

int view_command(const std::vector<std::string>& args) {
  std::string trace_path;
  std::string html_path;
  std::string shiviz_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-o" || arg == "--output" || arg == "--shiviz") {
      auto value = flag_value(args, i);
      if (!value) return exit_bad_input;
      (arg == "--shiviz" ? shiviz_path : html_path) = *value;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "%s: unknown option (see sim --help)\n", arg.c_str());
      return exit_bad_input;
    } else if (trace_path.empty()) {
      trace_path = arg;
    } else {
      std::fprintf(stderr, "%s: unexpected argument; one trace at a time (see sim --help)\n", arg.c_str());
      return exit_bad_input;
    }
  }
  if (trace_path.empty()) {
    std::fprintf(stderr, "view: no trace given (see sim --help)\n");
    return exit_bad_input;
  }
  if (html_path.empty() && shiviz_path.empty()) {
    std::fprintf(stderr, "view: nothing to write; give -o FILE.html and/or --shiviz FILE.log (see sim --help)\n");
    return exit_bad_input;
  }
  return write_trace_views(trace_path, html_path, shiviz_path);
}

}  // namespace edgecache::sim
