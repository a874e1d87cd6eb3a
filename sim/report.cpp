#include "sim/report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "sim/trace/trace.h"

namespace edgecache::sim {

const Violation* RunReport::earliest_violation() const {
  if (violations.empty()) return nullptr;
  return &*std::min_element(violations.begin(), violations.end(),
                            [](const Violation& a, const Violation& b) { return a.time_us < b.time_us; });
}

std::uint64_t RunReport::total_requests() const {
  std::uint64_t total = 0;
  for (const auto& by_outcome : requests) {
    for (std::uint64_t count : by_outcome) total += count;
  }
  return total;
}

namespace {
constexpr std::size_t max_violations_shown = 20;
// A run with at most this many faults lists each of them, and each one's latency window, in its summary.
constexpr std::size_t max_faults_listed = 8;

std::string seconds(TimeUs time_us) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", static_cast<double>(time_us) / 1e6);
  return text;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "n/a";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

std::string fault_text(const Fault& fault) {
  std::string text = fault_kind_name(fault.kind);
  if (!fault.node.empty()) text += " " + fault.node;
  if (!fault.from.empty()) text += " " + fault.from + "->" + fault.to;
  if (fault.kind == FaultKind::forge) text += std::string(" ") + forged_message_name(fault.message) + " as " + fault.as;
  if (fault.kind == FaultKind::slow || fault.kind == FaultKind::disk_slow) text += " x" + std::to_string(fault.factor);
  if (fault.kind == FaultKind::release) text += fault.shuffled ? " shuffled" : " fifo";
  if (!fault.groups.empty()) {
    text += " ";
    for (std::size_t g = 0; g < fault.groups.size(); ++g) {
      text += g == 0 ? "{" : " | {";
      for (std::size_t m = 0; m < fault.groups[g].size(); ++m) text += (m == 0 ? "" : ",") + fault.groups[g][m];
      text += "}";
    }
  }
  return text + " @" + std::to_string(fault.at_ms) + "ms";
}

std::string milliseconds(TimeUs time_us) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms", static_cast<double>(time_us) / 1e3);
  return text;
}

std::string latency_text(const LatencyHistogram& latencies) {
  if (latencies.count() == 0) return "no requests";
  return "p50 " + milliseconds(latencies.percentile_us(0.50)) + ", p90 " + milliseconds(latencies.percentile_us(0.90)) +
         ", p99 " + milliseconds(latencies.percentile_us(0.99)) + ", max " + milliseconds(latencies.max_us()) + " (" +
         std::to_string(latencies.count()) + " requests)";
}

nlohmann::json latency_json(const LatencyHistogram& latencies) {
  auto ms = [](TimeUs time_us) { return static_cast<double>(time_us) / 1e3; };
  return {{"requests", latencies.count()},
          {"p50_ms", ms(latencies.percentile_us(0.50))},
          {"p90_ms", ms(latencies.percentile_us(0.90))},
          {"p99_ms", ms(latencies.percentile_us(0.99))},
          {"max_ms", ms(latencies.max_us())}};
}

// The run's figures, the steady state's, and each fault's window; for a run with many faults, only the
// window with the highest p99, so the summary stays a screenful.
void print_latency(std::ostream& out, const RunReport& report) {
  const LatencyReport& latency = report.latency;
  out << "latency   " << latency_text(latency.run()) << "\n";
  if (report.faults.empty()) return;
  out << "          before the first fault: " << latency_text(latency.steady()) << "\n";
  const auto& windows = latency.fault_windows();
  const std::string window = seconds(latency_fault_window_us) + " after ";
  if (report.faults.size() <= max_faults_listed) {
    for (const auto& entry : windows) {
      out << "          " << window << fault_text(report.faults[entry.fault_index]) << ": " << latency_text(entry.latencies) << "\n";
    }
    return;
  }
  const auto worst = std::max_element(windows.begin(), windows.end(), [](const auto& a, const auto& b) {
    return a.latencies.percentile_us(0.99) < b.latencies.percentile_us(0.99);
  });
  if (worst == windows.end()) return;
  out << "          worst " << window << "a fault (of the first " << windows.size() << "), "
      << fault_text(report.faults[worst->fault_index]) << ": " << latency_text(worst->latencies) << "\n";
}

// Whether the edges refused any peer's word. The summary shows the refusals only then, so a run without any
// keeps the summary's usual lines and nothing more.
bool any_refusal(const EdgeCounters& edges) {
  return edges.epoch_jumps_refused + edges.orders_from_non_leader + edges.unrequested_replies > 0;
}

void print_disk(std::ostream& out, const RunReport::DiskFigures& disk) {
  const DiskMirrorCounters& mirrors = disk.mirrors;
  out << "disk      written " << mirrors.written << ", loaded " << mirrors.loaded << ", dropped corrupt "
      << mirrors.dropped_corrupt << ", write failures " << mirrors.write_failures << ", skipped "
      << mirrors.writes_skipped << "; lost " << disk.disks.lost_writes << ", torn " << disk.disks.torn_writes
      << ", flipped " << disk.disks.flipped_bits << "; degraded "
      << (disk.degraded_edges.empty() ? "none" : "") ;
  for (std::size_t i = 0; i < disk.degraded_edges.size(); ++i) out << (i == 0 ? "" : ", ") << disk.degraded_edges[i];
  out << "\n";
}

nlohmann::json disk_json(const RunReport::DiskFigures& disk) {
  const DiskMirrorCounters& mirrors = disk.mirrors;
  return {{"written", mirrors.written},
          {"loaded", mirrors.loaded},
          {"dropped_corrupt", mirrors.dropped_corrupt},
          {"dropped_over_budget", mirrors.dropped_over_budget},
          {"write_failures", mirrors.write_failures},
          {"writes_skipped", mirrors.writes_skipped},
          {"degraded_episodes", mirrors.degraded_episodes},
          {"lost_writes", disk.disks.lost_writes},
          {"torn_writes", disk.disks.torn_writes},
          {"flipped_bits", disk.disks.flipped_bits},
          {"degraded_edges", disk.degraded_edges}};
}
}  // namespace

std::string reproduce_command(const std::string& scenario_path, std::uint64_t seed) {
  return "./sim " + scenario_path + " --seed " + std::to_string(seed);
}

std::string format_summary(const RunReport& report, const std::string& scenario_path, const std::string& reproduce) {
  std::ostringstream out;
  out << "scenario  " << report.scenario_name << " (" << scenario_path << "), seed " << report.seed << ", protocol "
      << protocol_name(report.protocol) << ", " << report.edges << " edges\n";
  if (report.from_real_run) {
    out << "real run  " << seconds(report.sim_time_us) << " from node traces, " << report.events << " events\n";
  } else {
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.2f s wall", report.wall_seconds);
    out << "simulated " << seconds(report.sim_time_us) << " in " << rate << ", " << report.events << " events\n";
  }
  for (std::size_t kind = 0; kind < request_kind_count; ++kind) {
    out << (kind == 0 ? "requests  " : "          ") << request_kind_name(static_cast<RequestKind>(kind)) << ":";
    for (std::size_t outcome = 0; outcome < outcome_count; ++outcome) {
      out << " " << outcome_name(static_cast<Outcome>(outcome)) << " " << report.requests[kind][outcome];
    }
    out << "\n";
  }
  print_latency(out, report);
  const EdgeCounters& edges = report.edge_totals;
  out << "cache     hit ratio " << percent(edges.hits, edges.hits + edges.misses) << ", origin fetches "
      << edges.origin_fetches << " (at most " << report.max_origin_fetches_per_image << " for one image), coalesced "
      << edges.coalesced << ", evictions " << edges.evictions << ", replicas " << edges.replicas_received << "\n";
  out << "election  " << edges.elections_started << " elections, " << report.leader_changes << " leader changes, final leader "
      << report.final_leader.value_or("none agreed") << " (epoch " << report.final_epoch << ")\n";
  if (report.disk) print_disk(out, *report.disk);
  if (any_refusal(edges)) {
    out << "refused   epoch jumps " << edges.epoch_jumps_refused << ", orders from a non-leader "
        << edges.orders_from_non_leader << ", unrequested replies " << edges.unrequested_replies << "\n";
  }
  if (report.faults.empty()) {
    out << "faults    none\n";
  } else {
    std::map<std::string, int> by_kind;
    for (const Fault& fault : report.faults) ++by_kind[fault_kind_name(fault.kind)];
    out << "faults    " << report.faults.size() << " (";
    bool first = true;
    for (const auto& [kind, count] : by_kind) {
      out << (first ? "" : ", ") << kind << " " << count;
      first = false;
    }
    out << ")";
    if (report.faults.size() <= max_faults_listed) {
      out << ":";
      for (const Fault& fault : report.faults) out << " " << fault_text(fault) << ";";
    }
    out << "\n";
  }
  out << "checks   ";
  for (const Verdict& verdict : report.verdicts) {
    out << " " << verdict.checker << " " << verdict_kind_name(verdict.kind);
    if (!verdict.detail.empty()) out << " (" << verdict.detail << ")";
    out << ";";
  }
  out << "\n";
  out << "trace     hash " << format_hash(report.trace_hash) << ", " << report.trace_lines << " lines";
  if (!report.trace_path.empty()) out << ", written to " << report.trace_path;
  if (!report.trace_error.empty()) out << " (" << report.trace_error << ")";
  out << "\n";
  if (report.passed()) {
    out << "verdict   PASS\n";
    return out.str();
  }
  out << "verdict   FAIL: " << report.violations.size() << " violation" << (report.violations.size() == 1 ? "" : "s") << "\n";
  for (std::size_t i = 0; i < report.violations.size() && i < max_violations_shown; ++i) {
    const Violation& violation = report.violations[i];
    out << "  [" << violation.checker << "] t=" << seconds(violation.time_us)
        << (violation.node.empty() ? "" : " " + violation.node) << ": " << violation.detail << "\n";
  }
  if (report.violations.size() > max_violations_shown) {
    out << "  ... and " << report.violations.size() - max_violations_shown << " more\n";
  }
  out << "reproduce " << (reproduce.empty() ? reproduce_command(scenario_path, report.seed) : reproduce) << "\n";
  return out.str();
}

nlohmann::json report_to_json(const RunReport& report, const std::string& scenario_path, const std::string& reproduce) {
  nlohmann::json json;
  json["scenario"] = report.scenario_name;
  json["scenario_path"] = scenario_path;
  json["seed"] = report.seed;
  json["protocol"] = protocol_name(report.protocol);
  json["passed"] = report.passed();
  json["trace_hash"] = format_hash(report.trace_hash);
  json["trace_lines"] = report.trace_lines;
  if (!report.trace_path.empty()) json["trace_path"] = report.trace_path;
  json["events"] = report.events;
  json["sim_time_ms"] = report.sim_time_us / 1000;
  json["wall_seconds"] = report.wall_seconds;
  json["source"] = report.from_real_run ? "real" : "sim";
  nlohmann::json requests = nlohmann::json::object();
  for (std::size_t kind = 0; kind < request_kind_count; ++kind) {
    nlohmann::json by_outcome = nlohmann::json::object();
    for (std::size_t outcome = 0; outcome < outcome_count; ++outcome) {
      by_outcome[outcome_name(static_cast<Outcome>(outcome))] = report.requests[kind][outcome];
    }
    requests[request_kind_name(static_cast<RequestKind>(kind))] = by_outcome;
  }
  requests["total"] = report.total_requests();
  json["requests"] = requests;
  nlohmann::json latency = latency_json(report.latency.run());
  latency["steady"] = latency_json(report.latency.steady());
  latency["fault_window_ms"] = latency_fault_window_us / 1000;
  nlohmann::json windows = nlohmann::json::array();
  for (const auto& window : report.latency.fault_windows()) {
    nlohmann::json entry = latency_json(window.latencies);
    entry["fault"] = window.fault_index;
    entry["at_ms"] = static_cast<double>(window.at_us) / 1e3;
    windows.push_back(entry);
  }
  latency["fault_windows"] = windows;
  json["latency"] = latency;
  const EdgeCounters& edges = report.edge_totals;
  json["cache"] = {{"hits", edges.hits},
                   {"misses", edges.misses},
                   {"origin_fetches", edges.origin_fetches},
                   {"max_origin_fetches_per_image", report.max_origin_fetches_per_image},
                   {"coalesced", edges.coalesced},
                   {"evictions", edges.evictions},
                   {"replicas_received", edges.replicas_received},
                   {"checksum_failures", edges.checksum_failures}};
  if (report.disk) json["disk"] = disk_json(*report.disk);
  if (any_refusal(edges)) {
    json["refused"] = {{"epoch_jumps", edges.epoch_jumps_refused},
                       {"orders_from_non_leader", edges.orders_from_non_leader},
                       {"unrequested_replies", edges.unrequested_replies}};
  }
  json["elections"] = edges.elections_started;
  json["leader_changes"] = report.leader_changes;
  json["final_leader"] = report.final_leader ? nlohmann::json(*report.final_leader) : nlohmann::json(nullptr);
  json["final_epoch"] = report.final_epoch;
  nlohmann::json faults = nlohmann::json::array();
  for (const Fault& fault : report.faults) {
    nlohmann::json entry = {{"at_ms", fault.at_ms}, {"kind", fault_kind_name(fault.kind)}};
    if (!fault.node.empty()) entry["node"] = fault.node;
    if (!fault.from.empty()) entry["from"] = fault.from;
    if (!fault.to.empty()) entry["to"] = fault.to;
    if (!fault.groups.empty()) entry["groups"] = fault.groups;
    if (fault.kind == FaultKind::forge) {
      entry["as"] = fault.as;
      entry["message"] = forged_message_name(fault.message);
    }
    faults.push_back(entry);
  }
  json["faults"] = faults;
  nlohmann::json checks = nlohmann::json::array();
  for (const Verdict& verdict : report.verdicts) {
    checks.push_back({{"checker", verdict.checker}, {"verdict", verdict_kind_name(verdict.kind)}, {"detail", verdict.detail}});
  }
  json["checks"] = checks;
  nlohmann::json violations = nlohmann::json::array();
  for (const Violation& violation : report.violations) {
    violations.push_back({{"checker", violation.checker},
                          {"time", static_cast<double>(violation.time_us) / 1000.0},
                          {"time_us", violation.time_us},
                          {"node", violation.node},
                          {"detail", violation.detail}});
  }
  json["violations"] = violations;
  if (!report.passed()) json["reproduce"] = reproduce.empty() ? reproduce_command(scenario_path, report.seed) : reproduce;
  return json;
}

}  // namespace edgecache::sim
