#include "sim/recorded/trace_check.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "core/assert.h"
#include "core/parse_number.h"
#include "sim/checkers/checker.h"
#include "sim/expectations.h"
#include "sim/recorded/node_replay.h"
#include "sim/trace/trace_lines.h"
#include "sim/trace/trace_merge.h"
#include "sim/world/host_states.h"

namespace edgecache::sim {

namespace {

// Ids for load clients whose recorded id another host holds; above every daemon and local request id.
constexpr NodeId first_spare_client_id = 2'000'000'000;
constexpr std::uint64_t fnv_offset = 0xCBF29CE484222325ULL;
constexpr std::uint64_t fnv_prime = 0x100000001B3ULL;

std::optional<FaultKind> fault_kind_named(const std::string& name) {
  for (std::uint8_t value = 0; value <= static_cast<std::uint8_t>(last_fault_kind); ++value) {
    if (name == fault_kind_name(static_cast<FaultKind>(value))) return static_cast<FaultKind>(value);
  }
  return std::nullopt;
}

// Optional fields of client lines: a missing or mistyped one reads as empty (string_field) or zero, which a
// checker then judges (an ok result without a checksum has no body, and served_bytes says so).
std::uint64_t unsigned_field(const nlohmann::json& line, const char* key) {
  auto found = line.find(key);
  return found != line.end() && found->is_number_unsigned() ? found->get<std::uint64_t>() : 0;
}

// A body known by its size and checksum only, as a client's result line records it. Checkers compare sizes
// and checksums, never bytes.
Body recorded_body(std::uint64_t size_bytes, std::uint64_t checksum) {
  return std::make_shared<const ImageBytes>(size_bytes, checksum, [](std::span<std::uint8_t>) {
    EC_ASSERT(false, "sim check never reads the bytes of a body its trace recorded only by checksum");
  });
}

// One pass over a real run's merged traces; see trace_check.h. It answers the checkers' questions about hosts
// from what the traces say: a host is up from its incarnation's first line until a crash (the controller's,
// or inferred from a trace that ends without its summary line), and links are open unless the controller
// partitioned, isolated or cut them.
class TraceRun final : public HostStates {
 public:
  TraceRun(const std::vector<NodeTrace>& traces, const Scenario& scenario);
  TraceCheckResult execute();

  const std::string& name(NodeId id) const override;
  // A host whose replay diverged counts as down: checkers read running edges through their replayed view,
  // which no longer says anything about the run (the divergence itself is the violation).
  bool is_running(NodeId id) const override { return up_.contains(id) && !paused_.contains(id) && !diverged_host(id); }
  bool link_open(NodeId from, NodeId to) const override;

 private:
  void learn_hosts();
  void handle(const MergedEvent& at);
  void advance(std::int64_t wall_us);
  void begin_incarnation(std::size_t trace);
  void end_incarnation(std::size_t trace);
  void node_event(std::size_t trace, std::size_t index);
  void report_divergence(std::size_t trace, const ReplayProblem& problem);
  void client_event(NodeId client, const NodeTraceEvent& event);
  void controller_event(const NodeTraceEvent& event);
  void host_event(NodeId id, HostEvent event);
  NodeId id_of(const std::string& host) const;
  const EdgeObservable* edge_view(NodeId id) const;
  bool diverged_host(NodeId id) const;
  void finish();

  const std::vector<NodeTrace>& traces_;
  Scenario scenario_;
  mutable std::map<NodeId, std::string> names_;  // Grows when a checker names an id no header names.
  std::map<std::string, NodeId> ids_;
  ClusterLayout layout_;
  MemoryCatalog catalog_;

  std::set<NodeId> up_;
  std::set<NodeId> paused_;
  std::map<NodeId, std::uint32_t> partition_group_;  // 0 for hosts in no listed group.
  bool partition_active_ = false;
  std::set<NodeId> isolated_;
  std::set<std::pair<NodeId, NodeId>> cut_;

  std::vector<NodeId> host_of_trace_;  // The host each trace is an incarnation of.
  std::vector<std::unique_ptr<NodeReplay>> replays_;  // By trace; every incarnation is kept for its counters.
  std::vector<bool> diverged_;
  std::map<NodeId, std::size_t> current_;  // Host -> the trace of its current incarnation.
  std::map<NodeId, Role> last_role_;
  std::uint64_t became_leader_ = 0;
  std::map<ImageId, std::uint64_t> origin_fetches_per_image_;

  std::int64_t base_wall_us_ = 0;
  bool base_is_controller_ = false;
  TimeUs now_ = 0;
  TimeUs quiet_since_us_ = 0;
  std::uint64_t hash_ = fnv_offset;

  TraceCheckResult result_;
  CheckContext context_;
  std::vector<std::unique_ptr<Checker>> checkers_;
};

TraceRun::TraceRun(const std::vector<NodeTrace>& traces, const Scenario& scenario)
    : traces_(traces),
      scenario_(scenario),
      replays_(traces.size()),
      diverged_(traces.size(), false),
      context_{*this, layout_, catalog_, scenario_.checks, [this](NodeId id) { return edge_view(id); },
               [this](Violation violation) { result_.report.violations.push_back(std::move(violation)); }} {
  learn_hosts();
  checkers_ = make_checkers(context_);
}

// Collects host names, roles and the catalog from every header, before any event, so checkers can name any
// host from the start.
void TraceRun::learn_hosts() {
  std::set<NodeId> edges;
  std::set<NodeId> clients;
  bool first = true;
  host_of_trace_.assign(traces_.size(), 0);
  for (std::size_t t = 0; t < traces_.size(); ++t) {
    const NodeTraceHeader& header = traces_[t].header;
    // Time zero is the earliest start, or the controller's if there is one: `sim real` starts the scenario's
    // clock there, so violations and faults show at the times the scenario gives. Earlier events (the
    // daemons' start-up and first election) are then all at time zero.
    const bool controller = header.role == NodeRole::controller;
    if (first || (controller && !base_is_controller_) || (!base_is_controller_ && header.wall_us < base_wall_us_)) {
      base_wall_us_ = header.wall_us;
      base_is_controller_ = controller;
    }
    first = false;
    host_of_trace_[t] = header.node_id;
    if (header.role == NodeRole::client) continue;
    for (const auto& [id, host] : header.hosts) names_.emplace(id, host);
    switch (header.role) {
      case NodeRole::edge:
        edges.insert(header.node_id);
        edges.insert(header.edge_config.edges.begin(), header.edge_config.edges.end());
        layout_.canonical = header.edge_config.canonical;
        break;
      case NodeRole::canonical:
        layout_.canonical = header.node_id;
        for (const RecordedImage& image : header.catalog) {
          if (!catalog_.info(image.id)) catalog_.add(image.id, recorded_body(image.size_bytes, image.checksum));
        }
        break;
      case NodeRole::client:
      case NodeRole::controller: break;
    }
  }
  // Load clients talk to edges over HTTP, so no daemon knows their ids, and every client may call itself 0.
  // Each client name keeps one id (its restarts included); a name whose id another host holds gets one of
  // its own from a range nothing else uses.
  NodeId next_spare_id = first_spare_client_id;
  std::map<std::string, NodeId> client_ids;
  for (std::size_t t = 0; t < traces_.size(); ++t) {
    const NodeTraceHeader& header = traces_[t].header;
    if (header.role != NodeRole::client) continue;
    auto known = client_ids.find(header.node);
    if (known == client_ids.end()) {
      NodeId id = header.node_id;
      auto taken = names_.find(id);
      if (taken != names_.end() && taken->second != header.node) id = next_spare_id++;
      names_[id] = header.node;
      known = client_ids.emplace(header.node, id).first;
    }
    host_of_trace_[t] = known->second;
    clients.insert(known->second);
  }
  layout_.edges.assign(edges.begin(), edges.end());
  layout_.clients.assign(clients.begin(), clients.end());
  for (const auto& [id, host] : names_) ids_.emplace(host, id);
}

const std::string& TraceRun::name(NodeId id) const {
  auto found = names_.find(id);
  if (found != names_.end()) return found->second;
  return names_.emplace(id, recorded_node_name(names_, id)).first->second;
}

bool TraceRun::link_open(NodeId from, NodeId to) const {
  if (isolated_.contains(from) || isolated_.contains(to)) return false;
  if (partition_active_) {
    auto group = [&](NodeId id) {
      auto found = partition_group_.find(id);
      return found == partition_group_.end() ? 0U : found->second;
    };
    if (group(from) != group(to)) return false;
  }
  return !cut_.contains({from, to});
}

NodeId TraceRun::id_of(const std::string& host) const {
  auto found = ids_.find(host);
  return found == ids_.end() ? 0 : found->second;
}

bool TraceRun::diverged_host(NodeId id) const {
  auto current = current_.find(id);
  return current != current_.end() && diverged_[current->second];
}

const EdgeObservable* TraceRun::edge_view(NodeId id) const {
  auto current = current_.find(id);
  if (current == current_.end() || !up_.contains(id) || diverged_[current->second]) return nullptr;
  const NodeReplay* replay = replays_[current->second].get();
  return replay != nullptr ? replay->edge() : nullptr;
}

void TraceRun::host_event(NodeId id, HostEvent event) {
  for (auto& checker : checkers_) checker->on_host_event(now_, id, event);
}

void TraceRun::advance(std::int64_t wall_us) { now_ = std::max(now_, wall_us - base_wall_us_); }

TraceCheckResult TraceRun::execute() {
  MergedOrder order = merge_node_traces(traces_);
  result_.sends_missing = order.sends_missing;
  result_.forced = order.forced;
  for (const MergedEvent& at : order.events) {
    handle(at);
    if (result_.error) break;
  }
  finish();
  result_.report.events = order.events.size();
  return std::move(result_);
}

void TraceRun::handle(const MergedEvent& at) {
  const NodeTrace& trace = traces_[at.trace];
  const NodeTraceEvent& event = trace.events[at.event];
  advance(event.wall_us);
  for (char c : event.text) hash_ = (hash_ ^ static_cast<unsigned char>(c)) * fnv_prime;
  hash_ = (hash_ ^ '\n') * fnv_prime;
  if (at.event == 0) begin_incarnation(at.trace);
  switch (trace.header.role) {
    case NodeRole::edge:
    case NodeRole::canonical: node_event(at.trace, at.event); break;
    case NodeRole::client: client_event(host_of_trace_[at.trace], event); break;
    case NodeRole::controller: controller_event(event); break;
  }
  for (auto& checker : checkers_) checker->after_event(now_);
  if (at.event + 1 == trace.events.size()) end_incarnation(at.trace);
}

void TraceRun::begin_incarnation(std::size_t trace) {
  const NodeTraceHeader& header = traces_[trace].header;
  if (header.role == NodeRole::controller) return;
  const NodeId id = host_of_trace_[trace];
  const bool restarted = current_.contains(id);
  current_[id] = trace;
  up_.insert(id);
  paused_.erase(id);
  last_role_.erase(id);
  if (header.role == NodeRole::edge || header.role == NodeRole::canonical) {
    replays_[trace] = std::make_unique<NodeReplay>(traces_[trace]);
  }
  host_event(id, restarted ? HostEvent::restarted : HostEvent::started);
}

void TraceRun::end_incarnation(std::size_t trace) {
  const NodeTrace& node_trace = traces_[trace];
  if (node_trace.header.role == NodeRole::controller) return;
  if (replays_[trace] && !diverged_[trace]) {
    if (std::optional<ReplayProblem> problem = replays_[trace]->finish()) report_divergence(trace, *problem);
  }
  // Without its summary line the process died here (a controller's crash line may have said so already).
  const NodeId id = host_of_trace_[trace];
  if (!node_trace.summary && current_[id] == trace && up_.erase(id) > 0) {
    paused_.erase(id);
    host_event(id, HostEvent::crashed);
  }
}

// The node no longer does what its trace says, so its state says nothing about the run: it leaves the
// checkers' view (is_running and edge_view), and the divergence itself fails the check.
void TraceRun::report_divergence(std::size_t trace, const ReplayProblem& problem) {
  const NodeTrace& node_trace = traces_[trace];
  diverged_[trace] = true;
  context_.report(Violation{"replay", now_, node_trace.header.node,
                            "does not reproduce " + node_trace.path + ":" + std::to_string(problem.line) + ": recorded " +
                                problem.expected + ", replayed " + problem.actual});
}

void TraceRun::node_event(std::size_t trace, std::size_t index) {
  const NodeTrace& node_trace = traces_[trace];
  const NodeTraceEvent& event = node_trace.events[index];
  NodeReplay* replay = replays_[trace].get();
  if (replay == nullptr || diverged_[trace]) return;
  std::optional<ReplayProblem> problem = replay->step(index);
  if (problem && problem->kind == ReplayProblem::Kind::bad_input) {
    result_.error = NodeTraceError{node_trace.path, problem->line, problem->actual};
    return;
  }
  if (problem) {
    report_divergence(trace, *problem);
    return;
  }
  const NodeId id = node_trace.header.node_id;
  // A line the replay accepted has its message, timer or matched call.
  if (event.ev == "recv") {
    const NodeId from = static_cast<NodeId>(event.json["from_id"].get<std::uint64_t>());
    const Message* message = replay->delivered();
    EC_ASSERT(message != nullptr, "a replayed recv line has its message");
    for (auto& checker : checkers_) checker->on_deliver(now_, from, id, *message);
  } else if (event.ev == "timer") {
    const Timer* timer = replay->fired();
    EC_ASSERT(timer != nullptr, "a replayed timer line has its timer");
    for (auto& checker : checkers_) checker->on_timer(now_, id, *timer);
  } else if (event.ev == "send") {
    const ReplayedOutput* matched = replay->matched();
    EC_ASSERT(matched != nullptr, "a replayed send line has the call it matched");
    const ReplayedOutput& output = *matched;
    if (const auto* fetch = std::get_if<GetImage>(&output.message);
        fetch != nullptr && output.to == layout_.canonical && !fetch->cache_only && layout_.is_edge(id)) {
      ++origin_fetches_per_image_[fetch->image_id];
    }
    for (auto& checker : checkers_) checker->on_send(now_, id, output.to, output.message, SendFate::scheduled);
  }
  if (!is_input_event(event.ev) || replay->edge() == nullptr) return;
  const Edge& edge = *replay->edge();
  const Role role = edge.status().role;
  auto last = last_role_.find(id);
  if (role == Role::leader && (last == last_role_.end() || last->second != Role::leader)) ++became_leader_;
  last_role_[id] = role;
  for (auto& checker : checkers_) checker->after_edge_event(now_, id, edge);
}

void TraceRun::client_event(NodeId client, const NodeTraceEvent& event) {
  const nlohmann::json& json = event.json;
  const RequestKind kind = json["kind"] == "get_size" ? RequestKind::get_size : RequestKind::get_image;
  if (event.ev == "submit") {
    ClientRequest request{json["req"].get<RequestId>(), kind, json["image"].get<ImageId>()};
    // The deadline is on the client's clock; its distance from the submit carries over to checker time.
    const TimeUs deadline_us = now_ + (json["deadline_us"].get<TimeUs>() - event.t_us);
    quiet_since_us_ = std::max(quiet_since_us_, now_);
    for (auto& checker : checkers_) checker->on_submit(now_, client, request, deadline_us);
    return;
  }
  if (event.ev != "result") return;
  ClientResult result;
  result.id = json["req"].get<RequestId>();
  result.kind = kind;
  result.image_id = json["image"].get<ImageId>();
  const std::string outcome = json["outcome"].get<std::string>();
  for (std::uint8_t value = 0; value <= static_cast<std::uint8_t>(Outcome::rejected); ++value) {
    if (outcome == outcome_name(static_cast<Outcome>(value))) result.outcome = static_cast<Outcome>(value);
  }
  result.served_by = id_of(string_field(json, "served_by"));
  result.attempts = static_cast<std::uint32_t>(unsigned_field(json, "attempts"));
  result.latency_us = static_cast<TimeUs>(unsigned_field(json, "latency_us"));
  result.size_bytes = unsigned_field(json, "size");
  const std::string checksum = string_field(json, "checksum");
  const std::optional<std::uint64_t> checksum_value = parse_hex64(checksum);
  if (result.outcome == Outcome::ok && kind == RequestKind::get_image && checksum_value) {
    result.body = recorded_body(result.size_bytes, *checksum_value);
  }
  ++result_.report.requests[static_cast<std::size_t>(result.kind)][static_cast<std::size_t>(result.outcome)];
  if (result.outcome != Outcome::rejected) result_.report.latency.on_result(now_, result.latency_us);
  for (auto& checker : checkers_) checker->on_result(now_, client, result);
}

void TraceRun::controller_event(const NodeTraceEvent& event) {
  if (event.ev != "fault") return;
  const nlohmann::json& json = event.json;
  std::optional<FaultKind> kind = fault_kind_named(json["fault"].get<std::string>());
  // A fault the controller could not carry out (json "unsupported") changed nothing.
  if (!kind || json.contains("unsupported")) return;
  Fault fault;
  fault.kind = *kind;
  fault.at_ms = now_ / us_per_ms;
  fault.node = string_field(json, "node");
  fault.from = string_field(json, "from");
  fault.to = string_field(json, "to");
  if (json.contains("groups") && json["groups"].is_array()) {
    for (const nlohmann::json& group : json["groups"]) {
      fault.groups.emplace_back();
      for (const nlohmann::json& member : group) {
        if (member.is_string()) fault.groups.back().push_back(member.get<std::string>());
      }
    }
  }
  const NodeId target = id_of(fault.node);
  switch (fault.kind) {
    case FaultKind::crash:
      if (up_.erase(target) > 0) {
        paused_.erase(target);
        host_event(target, HostEvent::crashed);
      }
      break;
    case FaultKind::pause:
      if (up_.contains(target) && paused_.insert(target).second) host_event(target, HostEvent::paused);
      break;
    case FaultKind::resume:
      if (paused_.erase(target) > 0) host_event(target, HostEvent::resumed);
      break;
    case FaultKind::partition: {
      partition_group_.clear();
      std::uint32_t number = 0;
      for (const auto& group : fault.groups) {
        ++number;
        for (const std::string& member : group) partition_group_[id_of(member)] = number;
      }
      partition_active_ = true;
      break;
    }
    case FaultKind::isolate: isolated_.insert(target); break;
    case FaultKind::cut: cut_.insert({id_of(fault.from), id_of(fault.to)}); break;
    case FaultKind::heal:
      partition_group_.clear();
      partition_active_ = false;
      isolated_.clear();
      cut_.clear();
      break;
    // A restart shows as the node's next incarnation; link degradation, clocks, forged messages and disks
    // change no host's state that a checker asks about.
    case FaultKind::restart:
    case FaultKind::degrade:
    case FaultKind::restore:
    case FaultKind::clock:
    case FaultKind::forge:
    case FaultKind::slow:
    case FaultKind::recover:
    case FaultKind::hold:
    case FaultKind::release:
    case FaultKind::disk_slow:
    case FaultKind::disk_full:
    case FaultKind::disk_lose:
    case FaultKind::disk_tear:
    case FaultKind::disk_flip:
    case FaultKind::disk_repair: break;
  }
  quiet_since_us_ = std::max(quiet_since_us_, now_);
  result_.report.latency.on_fault(now_, result_.report.faults.size());
  result_.report.faults.push_back(std::move(fault));
}

void TraceRun::finish() {
  RunReport& report = result_.report;
  if (result_.error) return;
  for (auto& checker : checkers_) checker->finish(now_, quiet_since_us_);

  ExpectationInputs inputs;
  for (const auto& replay : replays_) {
    if (replay && replay->edge() != nullptr) report.edge_totals.add(replay->edge()->counters());
  }
  std::optional<NodeId> agreed;
  bool agree = true;
  for (NodeId edge : layout_.edges) {
    const EdgeObservable* view = edge_view(edge);
    if (view == nullptr || !is_running(edge)) continue;
    const EdgeStatus status = view->status();
    inputs.running_edges.push_back({name(edge), status.leader ? std::optional<std::string>(name(*status.leader)) : std::nullopt});
    if (!status.leader || (agreed && *agreed != *status.leader)) agree = false;
    if (status.leader) agreed = status.leader;
    if (status.leader == edge) report.final_epoch = status.epoch;
  }
  if (agree && agreed) report.final_leader = name(*agreed);
  report.leader_changes = became_leader_ > 0 ? became_leader_ - 1 : 0;
  inputs.requests = report.requests;
  inputs.origin_fetches_per_image = origin_fetches_per_image_;
  inputs.leader_changes = report.leader_changes;
  inputs.evictions = report.edge_totals.evictions;
  inputs.latency = &report.latency;
  for (Violation& violation : check_expectations(scenario_.expect, inputs, now_)) context_.report(std::move(violation));
  for (auto& checker : checkers_) report.verdicts.push_back(checker->verdict());

  for (const auto& [image, count] : origin_fetches_per_image_) {
    report.max_origin_fetches_per_image = std::max(report.max_origin_fetches_per_image, count);
  }
  report.scenario_name = scenario_.name;
  report.seed = scenario_.seed;
  report.protocol = scenario_.protocol;
  for (const NodeTrace& trace : traces_) {
    if (trace.header.role == NodeRole::edge) report.protocol = trace.header.edge_config.protocol;
    report.trace_lines += trace.events.size() + 1 + (trace.summary ? 1 : 0);
  }
  report.edges = static_cast<std::uint32_t>(layout_.edges.size());
  report.sim_time_us = now_;
  // The run was real: its span on the wall clock is the time it took.
  report.from_real_run = true;
  report.trace_hash = hash_;
}

}  // namespace

TraceCheckResult check_node_traces(const std::vector<NodeTrace>& traces, const Scenario& scenario) {
  TraceRun run(traces, scenario);
  return run.execute();
}

}  // namespace edgecache::sim
