#include "sim/view/viewer_page.h"

#include "core/assert.h"
#include "sim/view/viewer_assets.h"

namespace edgecache::sim {

namespace {

// Replaces the one occurrence of `placeholder` in `page`; the template is ours, so a missing one is a bug.
void replace_placeholder(std::string& page, std::string_view placeholder, std::string_view value) {
  std::size_t at = page.find(placeholder);
  EC_ASSERT(at != std::string::npos, "the viewer template lacks a placeholder");
  page.replace(at, placeholder.size(), value);
}

std::string escape_html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// The trace as one JSON object: {"hosts":[lanes],"header":{...},"summary":{...}|null,"events":[lines]}.
// Event lines are copied as recorded, since each already is a JSON object.
std::string trace_json(const ParsedTrace& trace) {
  std::string out = "{\"hosts\":" + nlohmann::json(trace.hosts).dump() + ",\"header\":" + trace.header.dump() +
                    ",\"summary\":" + (trace.summary ? trace.summary->dump() : std::string("null")) + ",\"events\":[";
  std::size_t size = out.size() + 8;
  for (const TraceEvent& event : trace.events) size += event.text.size() + 2;
  out.reserve(size);
  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    if (i > 0) out += ",\n";
    out += trace.events[i].text;
  }
  out += "]}";
  // Inside a <script> element the text "</script" or "<!--" would end or confuse it. In JSON a '<' can only
  // stand inside a string, where \u003c means the same character.
  std::string escaped;
  escaped.reserve(out.size());
  for (char c : out) {
    if (c == '<') {
      escaped += "\\u003c";
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

}  // namespace

std::string render_viewer_page(const ParsedTrace& trace) {
  std::string title = "edgecache trace";
  if (trace.header.contains("scenario") && trace.header["scenario"].is_object()) {
    title += ": " + trace.header["scenario"].value("name", std::string("unnamed"));
  }
  if (trace.header.contains("seed")) title += " (seed " + trace.header["seed"].dump() + ")";

  std::string page(viewer_assets::html);
  replace_placeholder(page, "{{title}}", escape_html(title));
  replace_placeholder(page, "{{viewer.css}}", viewer_assets::css);
  replace_placeholder(page, "{{viewer.js}}", viewer_assets::js);
  // Filled last, so text inside the trace is never taken for a placeholder.
  replace_placeholder(page, "{{trace-data}}", trace_json(trace));
  return page;
}

}  // namespace edgecache::sim
