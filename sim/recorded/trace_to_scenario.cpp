#include "sim/recorded/trace_to_scenario.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "sim/trace/trace_lines.h"

namespace edgecache::sim {

namespace {

// Below this exponent a fitted Zipf is indistinguishable from the noise of a uniform draw, whose sorted counts
// always slope a little.
constexpr double min_zipf_exponent = 0.2;
// The largest image the system accepts anywhere (docs/scenarios.md, Catalog).
constexpr std::uint64_t max_image_bytes = 64ULL * 1024 * 1024;
constexpr double max_rate_per_s = 1'000'000.0;

// Thrown inside this file only, so a malformed line is one line of code; trace_to_scenario returns it.
struct Failure {
  std::string message;
};

// Every trace of one node, oldest incarnation first.
struct NodeHistory {
  std::string recorded_name;
  NodeId recorded_id = 0;
  std::vector<const NodeTrace*> incarnations;
};

struct SortedTraces {
  std::vector<NodeHistory> edges;  // Ascending recorded node id.
  std::optional<NodeHistory> canonical;
  std::vector<NodeHistory> clients;  // Ascending recorded name.
  const NodeTrace* controller = nullptr;
  std::map<std::string, std::string> host_names;  // Recorded name to the scenario's name.
};

std::int64_t ms_after(std::int64_t wall_us, std::int64_t zero_us) {
  return wall_us <= zero_us ? 0 : (wall_us - zero_us) / 1000;
}

std::int64_t last_wall_us(const NodeTrace& trace) {
  return trace.events.empty() ? trace.header.wall_us : trace.events.back().wall_us;
}

double round_to(double value, double step) { return std::round(value / step) * step; }

// "2026-11-27 08:20:00 UTC", computed from the number alone (days to civil date, H. Hinnant's algorithm) so
// that the simulator reads no clock and no time zone.
std::string utc_text(std::int64_t wall_us) {
  constexpr std::int64_t us_per_day = 86'400'000'000;
  std::int64_t days = wall_us / us_per_day;
  std::int64_t us_of_day = wall_us % us_per_day;
  if (us_of_day < 0) {
    us_of_day += us_per_day;
    --days;
  }
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t day_of_era = z - era * 146097;
  const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const std::int64_t day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const std::int64_t month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  const std::int64_t seconds = us_of_day / 1'000'000;
  char text[64];
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day), static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  return text;
}

void add_incarnation(std::vector<NodeHistory>& histories, const NodeTrace& trace, std::vector<std::string>& notes) {
  auto found = std::find_if(histories.begin(), histories.end(),
                            [&](const NodeHistory& history) { return history.recorded_name == trace.header.node; });
  if (found == histories.end()) {
    histories.push_back({trace.header.node, trace.header.node_id, {}});
    found = histories.end() - 1;
  }
  // The same file given twice (overlapping globs) would otherwise read as a crash and an instant restart.
  for (const NodeTrace* known : found->incarnations) {
    if (known->header.wall_us == trace.header.wall_us && known->header.random_seed == trace.header.random_seed) {
      notes.push_back(trace.path + ": the same incarnation as " + known->path + "; ignored");
      return;
    }
  }
  found->incarnations.push_back(&trace);
}

// Groups the traces by node and names the hosts as the simulator does: the edges edge-1..edge-N in ascending
// recorded id (the Bully rank, so the edge that led for real leads in the simulator too).
SortedTraces sort_traces(const std::vector<NodeTrace>& traces, std::vector<std::string>& notes) {
  SortedTraces sorted;
  std::vector<NodeHistory> canonicals;
  for (const NodeTrace& trace : traces) {
    switch (trace.header.role) {
      case NodeRole::edge: add_incarnation(sorted.edges, trace, notes); break;
      case NodeRole::canonical: add_incarnation(canonicals, trace, notes); break;
      case NodeRole::client: add_incarnation(sorted.clients, trace, notes); break;
      case NodeRole::controller:
        if (sorted.controller != nullptr) {
          notes.push_back(trace.path + ": a second controller trace; only " + sorted.controller->path + " is used");
        } else {
          sorted.controller = &trace;
        }
        break;
    }
  }
  if (sorted.edges.empty()) {
    throw Failure{"no edge trace among the " + std::to_string(traces.size()) +
                  " given (an edge daemon's --trace file has \"role\":\"edge\" in its header)"};
  }
  auto by_start = [](const NodeTrace* a, const NodeTrace* b) { return a->header.wall_us < b->header.wall_us; };
  for (auto* group : {&sorted.edges, &canonicals, &sorted.clients}) {
    for (NodeHistory& history : *group) std::stable_sort(history.incarnations.begin(), history.incarnations.end(), by_start);
  }
  std::sort(sorted.edges.begin(), sorted.edges.end(), [](const NodeHistory& a, const NodeHistory& b) {
    return a.recorded_id != b.recorded_id ? a.recorded_id < b.recorded_id : a.recorded_name < b.recorded_name;
  });
  std::sort(sorted.clients.begin(), sorted.clients.end(),
            [](const NodeHistory& a, const NodeHistory& b) { return a.recorded_name < b.recorded_name; });
  std::string renamed;
  for (std::size_t i = 0; i < sorted.edges.size(); ++i) {
    const std::string name = "edge-" + std::to_string(i + 1);
    const NodeHistory& edge = sorted.edges[i];
    sorted.host_names[edge.recorded_name] = name;
    if (edge.recorded_id != i + 1 || edge.recorded_name != name) {
      renamed += (renamed.empty() ? "" : ", ") + edge.recorded_name + " (id " + std::to_string(edge.recorded_id) + ") -> " + name;
    }
  }
  if (!renamed.empty()) notes.push_back("edge ids are not 1.." + std::to_string(sorted.edges.size()) + "; renamed in ascending id: " + renamed);
  for (std::size_t i = 0; i < sorted.clients.size(); ++i) sorted.host_names[sorted.clients[i].recorded_name] = "client-" + std::to_string(i + 1);
  if (!canonicals.empty()) {
    sorted.canonical = canonicals.front();
    sorted.host_names[canonicals.front().recorded_name] = "canonical";
    for (std::size_t i = 1; i < canonicals.size(); ++i) notes.push_back("a second canonical node " + canonicals[i].recorded_name + " is ignored");
  }
  return sorted;
}

// The scenario the fault controller ran (sim real records it in its header), else the defaults.
Scenario base_scenario(const SortedTraces& sorted) {
  if (sorted.controller == nullptr || !sorted.controller->header.json.contains("scenario")) return Scenario{};
  ScenarioResult loaded = parse_scenario(sorted.controller->header.json["scenario"].dump());
  if (loaded.error) {
    ScenarioError error = *loaded.error;
    error.path = error.path.empty() ? "scenario" : "scenario." + error.path;
    throw Failure{sorted.controller->path + ":1: header: " + error.message()};
  }
  return *loaded.scenario;
}

void infer_cluster(const SortedTraces& sorted, Scenario& scenario, std::vector<std::string>& notes) {
  ClusterOptions& cluster = scenario.cluster;
  cluster.edges = static_cast<std::uint32_t>(sorted.edges.size());
  if (!sorted.clients.empty()) cluster.clients = static_cast<std::uint32_t>(sorted.clients.size());
  const NodeTraceHeader& first = sorted.edges.front().incarnations.front()->header;
  // The cluster fills in an edge's peers, canonical and protocol itself, so only timing and limits are kept.
  auto timing_of = [](EdgeConfig config) {
    config.canonical = 0;
    config.edges.clear();
    config.protocol = Protocol::standard;
    return config;
  };
  cluster.edge = timing_of(first.edge_config);
  cluster.cache_budget_bytes = first.cache_budget_bytes;
  scenario.protocol = first.edge_config.protocol;
  bool restarted = false;
  bool kept_cache = false;
  for (const NodeHistory& edge : sorted.edges) {
    for (std::size_t i = 0; i < edge.incarnations.size(); ++i) {
      const NodeTraceHeader& header = edge.incarnations[i]->header;
      if (timing_of(header.edge_config) != cluster.edge || header.edge_config.protocol != scenario.protocol ||
          header.cache_budget_bytes != cluster.cache_budget_bytes) {
        notes.push_back(edge.incarnations[i]->path + ": its edge_config or cache budget differs from " +
                        sorted.edges.front().incarnations.front()->path + "'s, which every edge gets");
      }
      if (i == 0) continue;
      restarted = true;
      if (!header.preloaded.empty()) kept_cache = true;
    }
  }
  // Without a restart the traces say nothing about what a restart would keep, so the base's setting stands.
  if (restarted) cluster.restart_keeps_cache = kept_cache;
}

void infer_catalog(const SortedTraces& sorted, Scenario& scenario, std::vector<std::string>& notes) {
  if (!sorted.canonical || sorted.canonical->incarnations.front()->header.catalog.empty()) {
    notes.push_back("no canonical trace with a catalog; the catalog stays " + std::to_string(scenario.catalog.images) +
                    " images of " + std::to_string(scenario.catalog.min_size_bytes) + ".." +
                    std::to_string(scenario.catalog.max_size_bytes) + " bytes");
    return;
  }
  std::vector<std::uint64_t> sizes;
  for (const RecordedImage& image : sorted.canonical->incarnations.front()->header.catalog) {
    sizes.push_back(std::clamp<std::uint64_t>(image.size_bytes, 1, max_image_bytes));
  }
  std::sort(sizes.begin(), sizes.end());
  // Only the count and the size distribution carry over: the simulator numbers its images 0..N-1 and derives
  // their contents from the seed.
  scenario.catalog.images = sizes.size();
  scenario.catalog.min_size_bytes = sizes.front();
  scenario.catalog.median_size_bytes = sizes[(sizes.size() - 1) / 2];
  scenario.catalog.max_size_bytes = sizes.back();
}

// Whether request counts are what equal popularity over `images` images would give: Pearson's dispersion
// statistic (chi-square against equal counts, unrequested images counting zero) within three standard
// deviations of its mean under uniformity. The Zipf fit cannot tell by itself, since sorted counts always
// slope: a sparse uniform sample fits s of 0.2 to 0.4.
bool consistent_with_uniform(const std::vector<std::uint64_t>& counts, std::uint64_t images) {
  const double n = static_cast<double>(std::max<std::uint64_t>(images, counts.size()));
  if (n < 2) return true;
  double total = 0, squares = 0;
  for (std::uint64_t count : counts) {
    total += static_cast<double>(count);
    squares += static_cast<double>(count) * static_cast<double>(count);
  }
  const double dispersion = squares / (total / n) - total;
  return dispersion <= (n - 1) + 3 * std::sqrt(2 * (n - 1));
}

void infer_workload(const SortedTraces& sorted, std::int64_t zero_us, bool have_base, Scenario& scenario,
                    std::vector<std::string>& notes) {
  WorkloadOptions& workload = scenario.workload;
  if (sorted.clients.empty()) {
    if (!have_base) {
      workload = WorkloadOptions{};
      workload.rate_per_s = 0;
      workload.stop_ms = 0;
      notes.push_back("no client trace: the scenario has no workload");
    }
    return;
  }
  std::vector<std::int64_t> submit_times;
  std::map<ImageId, std::uint64_t> requests_per_image;
  std::uint64_t size_requests = 0;
  for (const NodeHistory& client : sorted.clients) {
    for (const NodeTrace* trace : client.incarnations) {
      for (const NodeTraceEvent& event : trace->events) {
        if (event.ev != "submit") continue;
        const std::string kind = event.json.at("kind").get<std::string>();
        if (kind != "get_image" && kind != "get_size") {
          throw Failure{trace->path + ":" + std::to_string(event.line) +
                        ": submit line: \"kind\": expected get_image or get_size, got \"" + kind + "\""};
        }
        submit_times.push_back(event.wall_us);
        ++requests_per_image[event.json.at("image").get<ImageId>()];
        if (kind == "get_size") ++size_requests;
      }
    }
  }
  workload = WorkloadOptions{};
  if (submit_times.empty()) {
    workload.rate_per_s = 0;
    workload.stop_ms = 0;
    notes.push_back("the client traces hold no submit line: the scenario has no workload");
    return;
  }
  const auto [first, last] = std::minmax_element(submit_times.begin(), submit_times.end());
  workload.start_ms = ms_after(*first, zero_us);
  workload.stop_ms = ms_after(*last, zero_us) + 1;
  const double count = static_cast<double>(submit_times.size());
  const double window_s = static_cast<double>(workload.stop_ms - workload.start_ms) / 1000.0;
  workload.rate_per_s = std::min(max_rate_per_s, round_to(count / window_s, 0.001));
  workload.get_size_fraction = round_to(static_cast<double>(size_requests) / count, 0.0001);
  workload.max_requests = submit_times.size();
  std::vector<std::uint64_t> counts;
  for (const auto& [image, requests] : requests_per_image) counts.push_back(requests);
  const std::optional<double> s = fit_zipf_exponent(counts);
  if (s && *s >= min_zipf_exponent && !consistent_with_uniform(counts, scenario.catalog.images)) {
    workload.popularity = Popularity::zipf;
    workload.zipf_s = round_to(*s, 0.01);
  } else {
    workload.popularity = Popularity::uniform;
  }
}

// Why `fault` cannot stand in a scenario of `scenario`'s cluster, or nothing. The loader itself judges, so the
// rules (which fields a kind needs, which hosts exist) live in one place.
std::optional<std::string> fault_problem(const Scenario& scenario, const Fault& fault) {
  Scenario probe = scenario;
  probe.faults = {fault};
  probe.expect = Expectations{};
  ScenarioResult loaded = parse_scenario(scenario_to_json(probe).dump());
  if (!loaded.error) return std::nullopt;
  return loaded.error->message();
}

void add_fault(Scenario& scenario, Fault fault, const std::string& where, std::vector<std::string>& notes) {
  if (auto problem = fault_problem(scenario, fault)) {
    notes.push_back(where + ": fault " + fault_kind_name(fault.kind) + " left out: " + *problem);
    return;
  }
  scenario.faults.push_back(std::move(fault));
}

std::optional<FaultKind> fault_kind_named(const std::string& name) {
  for (FaultKind kind : {FaultKind::crash, FaultKind::restart, FaultKind::pause, FaultKind::resume, FaultKind::partition,
                         FaultKind::isolate, FaultKind::cut, FaultKind::heal, FaultKind::degrade, FaultKind::restore,
                         FaultKind::clock, FaultKind::forge, FaultKind::slow, FaultKind::recover,
                         FaultKind::hold, FaultKind::release}) {
    if (name == fault_kind_name(kind)) return kind;
  }
  return std::nullopt;
}

void faults_from_controller(const SortedTraces& sorted, std::int64_t zero_us, Scenario& scenario,
                            std::vector<std::string>& notes) {
  auto rename = [&](const std::string& name) {
    auto found = sorted.host_names.find(name);
    return found == sorted.host_names.end() ? name : found->second;
  };
  const NodeTrace& controller = *sorted.controller;
  for (const NodeTraceEvent& event : controller.events) {
    if (event.ev != "fault") continue;
    const std::string where = controller.path + ":" + std::to_string(event.line);
    const std::string kind_name = string_field(event.json, "fault");
    const std::string node = string_field(event.json, "node");
    if (event.json.contains("unsupported")) {
      notes.push_back(where + ": fault " + kind_name + (node.empty() ? "" : " " + node) +
                      " was not done for real (" + string_field(event.json, "unsupported") + "); left out");
      continue;
    }
    const std::optional<FaultKind> kind = fault_kind_named(kind_name);
    if (!kind) {
      notes.push_back(where + ": unknown fault kind \"" + kind_name + "\"; left out");
      continue;
    }
    Fault fault;
    fault.kind = *kind;
    fault.at_ms = ms_after(event.wall_us, zero_us);
    fault.node = rename(node);
    fault.from = rename(string_field(event.json, "from"));
    fault.to = rename(string_field(event.json, "to"));
    // A degraded link keeps the network's options the log does not give; no other kind has a link.
    if (fault.kind == FaultKind::degrade) fault.link = scenario.network;
    if (auto groups = event.json.find("groups"); groups != event.json.end() && groups->is_array()) {
      for (const nlohmann::json& group : *groups) {
        std::vector<std::string>& hosts = fault.groups.emplace_back();
        if (!group.is_array()) continue;
        for (const nlohmann::json& host : group) hosts.push_back(rename(host.is_string() ? host.get<std::string>() : host.dump()));
      }
    }
    if (auto offset = event.json.find("offset_ms"); offset != event.json.end() && offset->is_number_integer()) {
      fault.offset_ms = offset->get<std::int64_t>();
    }
    if (auto drift = event.json.find("drift_ppm"); drift != event.json.end() && drift->is_number()) {
      fault.drift_ppm = drift->get<double>();
    }
    add_fault(scenario, std::move(fault), where, notes);
  }
}

// Without a controller's log, the traces themselves show crashes and restarts: a trace that stops without its
// summary line was killed at its last event, and a later trace of the same node is a restart.
void faults_from_traces(const SortedTraces& sorted, std::int64_t zero_us, Scenario& scenario,
                        std::vector<std::string>& notes) {
  std::vector<const NodeHistory*> nodes;
  for (const NodeHistory& edge : sorted.edges) nodes.push_back(&edge);
  if (sorted.canonical) nodes.push_back(&*sorted.canonical);
  for (const NodeHistory* node : nodes) {
    const std::string name = sorted.host_names.at(node->recorded_name);
    for (std::size_t i = 0; i < node->incarnations.size(); ++i) {
      const NodeTrace& trace = *node->incarnations[i];
      const bool has_successor = i + 1 < node->incarnations.size();
      if (i > 0) {
        add_fault(scenario, host_fault(ms_after(trace.header.wall_us, zero_us), FaultKind::restart, name), trace.path + ":1", notes);
      }
      if (trace.summary && !has_successor) continue;
      // A node that stopped cleanly and came back lost its volatile state all the same, which is what the
      // simulator's crash does; it must be down before its successor starts.
      std::int64_t at_ms = ms_after(last_wall_us(trace), zero_us);
      if (has_successor) at_ms = std::min(at_ms, ms_after(node->incarnations[i + 1]->header.wall_us, zero_us));
      if (trace.summary) notes.push_back(trace.path + ": stopped cleanly and was restarted; modelled as a crash");
      const std::size_t line = trace.events.empty() ? 1 : trace.events.back().line;
      add_fault(scenario, host_fault(at_ms, FaultKind::crash, name), trace.path + ":" + std::to_string(line), notes);
    }
  }
}

}  // namespace

std::optional<double> fit_zipf_exponent(std::vector<std::uint64_t> counts) {
  // Images seen once are dropped: their counts are all 1, a flat tail that says more about the sample's size
  // than about the distribution.
  std::erase_if(counts, [](std::uint64_t count) { return count < 2; });
  if (counts.size() < min_images_for_zipf_fit) return std::nullopt;
  std::sort(counts.begin(), counts.end(), std::greater<>());
  double sum_x = 0, sum_y = 0, sum_xx = 0, sum_xy = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double x = std::log(static_cast<double>(i + 1));
    const double y = std::log(static_cast<double>(counts[i]));
    sum_x += x;
    sum_y += y;
    sum_xx += x * x;
    sum_xy += x * y;
  }
  const double n = static_cast<double>(counts.size());
  const double slope = (n * sum_xy - sum_x * sum_y) / (n * sum_xx - sum_x * sum_x);
  return -slope;
}

std::variant<TraceScenario, TraceScenarioError> trace_to_scenario(const std::vector<NodeTrace>& traces) {
  TraceScenario result;
  try {
    const SortedTraces sorted = sort_traces(traces, result.notes);
    const bool have_base = sorted.controller != nullptr && sorted.controller->header.json.contains("scenario");
    Scenario scenario = base_scenario(sorted);
    if (sorted.controller != nullptr) {
      result.time_zero_wall_us = sorted.controller->header.wall_us;
      result.time_zero_source = "the controller's header";
    } else {
      result.time_zero_wall_us = std::min_element(traces.begin(), traces.end(), [](const NodeTrace& a, const NodeTrace& b) {
                                   return a.header.wall_us < b.header.wall_us;
                                 })->header.wall_us;
      result.time_zero_source = "the earliest trace header";
    }
    const std::int64_t zero_us = result.time_zero_wall_us;

    infer_cluster(sorted, scenario, result.notes);
    infer_catalog(sorted, scenario, result.notes);
    infer_workload(sorted, zero_us, have_base, scenario, result.notes);
    // What was observed replaces what was planned: the nemesis's draws, if any, are among the logged faults.
    scenario.faults.clear();
    scenario.nemesis = NemesisOptions{};
    if (scenario.expect.final_leader && !(scenario.expect.final_leader->starts_with("edge-") &&
                                          is_host_name(scenario.cluster, *scenario.expect.final_leader, false))) {
      result.notes.push_back("expect.final_leader " + *scenario.expect.final_leader + " is not an edge of this cluster; dropped");
      scenario.expect.final_leader.reset();
    }
    if (sorted.controller != nullptr) {
      faults_from_controller(sorted, zero_us, scenario, result.notes);
    } else {
      faults_from_traces(sorted, zero_us, scenario, result.notes);
    }
    std::stable_sort(scenario.faults.begin(), scenario.faults.end(),
                     [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });

    std::int64_t last_us = zero_us;
    for (const NodeTrace& trace : traces) last_us = std::max({last_us, trace.header.wall_us, last_wall_us(trace)});
    const std::int64_t workload_stop_ms = scenario.workload.rate_per_s > 0 ? scenario.workload.stop_ms : 0;
    scenario.duration_ms = std::max<std::int64_t>({1, (last_us - zero_us + 999) / 1000, workload_stop_ms});
    if (!have_base) scenario.seed = 1;
    const std::string base_name = scenario.name;
    scenario.name = "from_trace_" + std::filesystem::path(traces.front().path).stem().string();
    scenario.description = "Made by sim from-trace from " + std::to_string(traces.size()) + " node traces of a real run" +
                           (have_base ? " of " + base_name : std::string()) + " whose time 0 was " +
                           utc_text(zero_us) + ".";
    result.scenario = std::move(scenario);
  } catch (const Failure& failure) {
    return TraceScenarioError{failure.message};
  }
  ScenarioResult check = parse_scenario(scenario_to_json(result.scenario).dump());
  if (check.error) return TraceScenarioError{"the scenario made from the traces is invalid: " + check.error->message()};
  return result;
}

}  // namespace edgecache::sim
