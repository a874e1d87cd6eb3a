// tidy: long file: one Run wires the world, the nodes, the workload, the fault timeline, the nemesis, the
// checkers and the trace; each part is a small member of it, and they share its state.

#include "sim/cluster.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/assert.h"
#include "core/canonical.h"
#include "core/catalog.h"
#include "core/message_fields.h"
#include "sim/edge_disks.h"
#include "sim/expectations.h"
#include "sim/nemesis.h"
#include "sim/trace/trace.h"
#include "sim/world/random.h"
#include "sim/world/world.h"
#include "sim/zipf.h"

namespace edgecache::sim {

namespace {

// Wraps every host's node so the cluster learns when an incarnation ends (a crash or restart destroys it):
// it keeps its view pointers current and folds the edge's counters into the run's totals.
class HostedNode final : public Node {
 public:
  HostedNode(std::unique_ptr<Node> inner, std::function<void(Node&)> on_retire)
      : inner_(std::move(inner)), on_retire_(std::move(on_retire)) {}
  ~HostedNode() override { on_retire_(*inner_); }
  HostedNode(const HostedNode&) = delete;
  HostedNode& operator=(const HostedNode&) = delete;

  void on_start() override { inner_->on_start(); }
  void on_message(NodeId from, const Message& message) override { inner_->on_message(from, message); }
  void on_timer(const Timer& timer) override { inner_->on_timer(timer); }

 private:
  std::unique_ptr<Node> inner_;
  std::function<void(Node&)> on_retire_;
};

// The leader_timeout etc. of the scenario are in milliseconds; the world speaks microseconds.
TimeUs to_us(std::int64_t ms) { return ms_to_us(ms); }

class Run final : public WorldObserver {
 public:
  Run(const Scenario& scenario, const RunOptions& options, const NodeFactories& factories);
  RunReport execute();

  void on_send(TimeUs now, NodeId from, NodeId to, const Message& message, SendFate fate) override;
  void on_deliver(TimeUs now, NodeId from, NodeId to, const Message& message) override;
  void on_drop(TimeUs now, NodeId from, NodeId to, const Message& message, DropReason reason) override;
  void on_timer(TimeUs now, NodeId node, const Timer& timer) override;
  void on_host_event(TimeUs now, NodeId node, HostEvent event) override;
  void after_event(TimeUs now) override;

 private:
  void build_hosts();
  std::unique_ptr<Node> make_edge(NodeId id, Env& env);
  std::unique_ptr<Node> make_client(NodeId id, Env& env);
  void retire(NodeId id, Node& node);
  void schedule_arrival(TimeUs after_us);
  void arrival();
  void on_client_result(NodeId client, const ClientResult& result);
  void apply(Fault fault);
  void forge(const Fault& fault);
  void apply_disk_fault(const Fault& fault, Trace::Line& line);
  void on_disk_notice(NodeId edge, const DiskNotice& notice);
  void deliver_forged(NodeId node, NodeId as, Message message);
  void answer_pull_first(NodeId from, NodeId to, const Message& message);
  ImageId image_no_edge_holds() const;
  void nemesis_tick();
  std::optional<NodeId> current_leader() const;
  NodeId id_of(const std::string& name) const;
  // The host ids of a partition's or hold's groups.
  std::vector<std::vector<NodeId>> group_ids(const Fault& fault) const;
  const std::string& name(NodeId id) const { return world_.name(id); }
  // Names message fields' node ids in trace lines (a lambda, not a std::function: it is called per field of
  // every traced message).
  auto host_namer() const {
    return [this](NodeId id) -> const std::string& { return name(id); };
  }
  void check_expectations();
  TimeUs end_time_us() const;

  Scenario scenario_;
  RunOptions options_;
  NodeFactories factories_;
  std::uint64_t seed_;
  std::shared_ptr<const SyntheticCatalog> catalog_;
  ClusterLayout layout_;
  Trace trace_;
  // The trace line of the last violation and of the event it pointed at: several violations found at one
  // event (or at the end of the run) all point at that event, not at each other.
  std::uint64_t last_violation_line_ = 0;
  std::uint64_t last_violation_event_line_ = 0;
  RunReport report_;

  // Per host, indexed by id.
  std::vector<std::unique_ptr<LruCache>> caches_;
  std::vector<const EdgeObservable*> edge_views_;
  std::vector<const Edge*> edges_;
  std::vector<RequestPort*> client_ports_;
  std::vector<EdgeStatus> last_status_;
  std::vector<double> drift_ppm_;
  NodeId touched_ = 0;  // The host whose node the current event ran on; 0 for none (never an edge id).

  CheckContext context_;
  std::vector<std::unique_ptr<Checker>> checkers_;

  Rng workload_rng_;
  std::optional<ZipfSampler> zipf_;
  RequestId next_request_id_ = 1;
  std::uint64_t arrivals_ = 0;

  Nemesis nemesis_;

  // Forge faults of kind unrequested_reply waiting for their edge's next pull.
  struct ArmedReply {
    NodeId node = 0;
    NodeId as = 0;
  };
  std::vector<ArmedReply> armed_replies_;

  std::map<ImageId, std::uint64_t> origin_fetches_per_image_;
  std::uint64_t became_leader_ = 0;
  TimeUs quiet_since_us_ = 0;

  // Last, so it is destroyed first: destroying it retires the nodes, which reads the members above.
  World world_;
  // After the world, which it needs; made in build_hosts() once the layout is known. The edges it serves
  // hold pointers to its mirrors but never use them while they are being destroyed.
  std::optional<EdgeDisks> disks_;
};

Run::Run(const Scenario& scenario, const RunOptions& options, const NodeFactories& factories)
    : scenario_(scenario),
      options_(options),
      factories_(factories),
      seed_(options.seed.value_or(scenario.seed)),
      catalog_(options.catalog ? options.catalog : std::make_shared<const SyntheticCatalog>(catalog_options(scenario))),
      context_{world_, layout_, *catalog_, scenario_.checks,
               [this](NodeId id) { return id < edge_views_.size() ? edge_views_[id] : nullptr; },
               [this](Violation violation) {
                 // Checkers run just after the event they judge is traced, so the last line written is
                 // that event; the viewer links the violation to it.
                 std::uint64_t event_line = trace_.lines();
                 if (event_line == last_violation_line_) event_line = last_violation_event_line_;
                 Trace::Line(trace_, violation.time_us, "violation", violation.node)
                     .field("checker", violation.checker)
                     .field("detail", violation.detail)
                     .field("event_line", event_line);
                 last_violation_line_ = trace_.lines();
                 last_violation_event_line_ = event_line;
                 report_.violations.push_back(std::move(violation));
               }},
      workload_rng_(Rng::stream(seed_, static_cast<std::uint64_t>(StreamTag::workload))),
      nemesis_(scenario.nemesis, scenario.network, layout_,
               Rng::stream(seed_, static_cast<std::uint64_t>(StreamTag::nemesis))),
      world_(seed_, scenario.network) {
  scenario_.seed = seed_;
  report_.scenario_name = scenario_.name;
  report_.seed = seed_;
  report_.protocol = scenario_.protocol;
  report_.edges = scenario_.cluster.edges;
  EC_ASSERT(catalog_->options() == catalog_options(scenario_), "a shared catalog must be the scenario's");
  if (scenario_.workload.popularity == Popularity::zipf) zipf_.emplace(scenario_.catalog.images, scenario_.workload.zipf_s);
}

void Run::build_hosts() {
  const ClusterOptions& cluster = scenario_.cluster;
  for (NodeId i = 1; i <= cluster.edges; ++i) layout_.edges.push_back(i);
  layout_.canonical = cluster.edges + 1;
  for (NodeId j = 1; j <= cluster.clients; ++j) layout_.clients.push_back(layout_.canonical + j);
  std::size_t host_count = 2 + cluster.edges + cluster.clients;
  caches_.resize(host_count);
  edge_views_.assign(host_count, nullptr);
  edges_.assign(host_count, nullptr);
  client_ports_.assign(host_count, nullptr);
  last_status_.resize(host_count);
  drift_ppm_.assign(host_count, 0.0);

  disks_.emplace(world_, cluster, layout_.edges, seed_,
                 [this](NodeId edge, const DiskNotice& notice) { on_disk_notice(edge, notice); },
                 factories_.disk_mirror_verifies);
  world_.add_observer(*this);
  checkers_ = make_checkers(context_);
  for (auto& checker : checkers_) world_.add_observer(*checker);

  for (NodeId edge : layout_.edges) {
    world_.add_host(edge, "edge-" + std::to_string(edge), [this, edge](Env& env) { return make_edge(edge, env); });
  }
  world_.add_host(layout_.canonical, "canonical", [this](Env& env) {
    return std::make_unique<HostedNode>(std::make_unique<Canonical>(env, *catalog_), [](Node&) {});
  });
  for (std::size_t j = 0; j < layout_.clients.size(); ++j) {
    NodeId client = layout_.clients[j];
    world_.add_host(client, "client-" + std::to_string(j + 1), [this, client](Env& env) { return make_client(client, env); });
  }
}

std::unique_ptr<Node> Run::make_edge(NodeId id, Env& env) {
  EdgeConfig config = scenario_.cluster.edge;
  config.canonical = layout_.canonical;
  config.edges = layout_.edges;
  config.protocol = scenario_.protocol;
  if (!caches_[id] || !scenario_.cluster.restart_keeps_cache) {
    caches_[id] = std::make_unique<LruCache>(scenario_.cluster.cache_budget_bytes);
  }
  DiskLoad load;
  DiskMirror* mirror = disks_->attach(id, *caches_[id], load);
  std::unique_ptr<Node> node = factories_.edge(env, config, *caches_[id]);
  edge_views_[id] = dynamic_cast<const EdgeObservable*>(node.get());
  edges_[id] = dynamic_cast<const Edge*>(node.get());
  EC_ASSERT(edge_views_[id] != nullptr, "an edge node must implement EdgeObservable");
  if (mirror != nullptr) {
    if (auto* edge = dynamic_cast<Edge*>(node.get())) edge->set_cache_listener(mirror);
    // The first incarnations start while the hosts are being added, before the trace has its header, and
    // on empty disks: only a restart's load is worth a line.
    if (trace_.lines() > 0) {
      Trace::Line(trace_, world_.now(), "disk_load", name(id))
          .field("files", load.files.size())
          .field("loaded", load.loaded.size());
    }
    for (auto& checker : checkers_) checker->on_disk_load(world_.now(), id, load);
  }
  return std::make_unique<HostedNode>(std::move(node), [this, id](Node& retired) { retire(id, retired); });
}

std::unique_ptr<Node> Run::make_client(NodeId id, Env& env) {
  ClientConfig config = scenario_.cluster.client;
  config.edges = layout_.edges;
  if (scenario_.protocol == Protocol::classic) config.failover = false;  // The original client never fails over.
  std::unique_ptr<Node> node =
      factories_.client(env, config, [this, id](const ClientResult& result) { on_client_result(id, result); });
  client_ports_[id] = dynamic_cast<RequestPort*>(node.get());
  EC_ASSERT(client_ports_[id] != nullptr, "a client node must implement RequestPort");
  return std::make_unique<HostedNode>(std::move(node), [this, id](Node&) { client_ports_[id] = nullptr; });
}

void Run::retire(NodeId id, Node& /*node*/) {
  if (edges_[id] != nullptr) report_.edge_totals.add(edges_[id]->counters());
  edge_views_[id] = nullptr;
  edges_[id] = nullptr;
  last_status_[id] = EdgeStatus{};
}

TimeUs Run::end_time_us() const {
  std::int64_t end_ms = scenario_.duration_ms;
  std::int64_t quiet_ms = scenario_.checks.quiet_period_ms;
  if (!scenario_.faults.empty()) end_ms = std::max(end_ms, scenario_.faults.back().at_ms + quiet_ms);
  if (scenario_.nemesis.enabled) end_ms = std::max(end_ms, scenario_.nemesis.stop_ms + quiet_ms);
  if (scenario_.workload.rate_per_s > 0) end_ms = std::max(end_ms, scenario_.workload.stop_ms + quiet_ms);
  return to_us(end_ms);
}

RunReport Run::execute() {
  if (!options_.trace_path.empty()) {
    if (trace_.open(options_.trace_path, report_.trace_error)) report_.trace_path = options_.trace_path;
  }
  nlohmann::json header;
  header["scenario"] = scenario_to_json(scenario_);
  header["seed"] = seed_;
  build_hosts();
  header["hosts"] = nlohmann::json::array();
  for (NodeId id : world_.host_ids()) header["hosts"].push_back({{"id", id}, {"name", name(id)}});
  trace_.header(header);

  for (const Fault& fault : scenario_.faults) {
    world_.schedule(to_us(fault.at_ms), [this, fault] { apply(fault); });
  }
  if (std::optional<TimeUs> first = nemesis_.first_tick_us()) world_.schedule(*first, [this] { nemesis_tick(); });
  schedule_arrival(to_us(scenario_.workload.start_ms));

  TimeUs end_us = end_time_us();
  world_.run_until(end_us);

  for (NodeId edge : layout_.edges) {
    if (edges_[edge] != nullptr) report_.edge_totals.add(edges_[edge]->counters());
  }
  if (disks_->enabled()) {
    RunReport::DiskFigures& disk = report_.disk.emplace();
    disk.mirrors = disks_->mirror_totals();
    disk.disks = disks_->disk_totals();
    for (NodeId edge : disks_->ever_degraded()) disk.degraded_edges.push_back(name(edge));
  }
  for (auto& checker : checkers_) checker->finish(end_us, quiet_since_us_);
  check_expectations();
  for (auto& checker : checkers_) report_.verdicts.push_back(checker->verdict());

  // The leader every running edge follows, if they all agree.
  std::optional<NodeId> agreed;
  bool agree = true;
  for (NodeId edge : layout_.edges) {
    if (edge_views_[edge] == nullptr || !world_.is_running(edge)) continue;
    EdgeStatus status = edge_views_[edge]->status();
    if (!status.leader || (agreed && *agreed != *status.leader)) agree = false;
    if (status.leader) agreed = status.leader;
    if (status.leader == edge) report_.final_epoch = status.epoch;
  }
  if (agree && agreed) report_.final_leader = name(*agreed);

  report_.leader_changes = became_leader_ > 0 ? became_leader_ - 1 : 0;
  for (const auto& [image, count] : origin_fetches_per_image_) {
    report_.max_origin_fetches_per_image = std::max(report_.max_origin_fetches_per_image, count);
  }
  report_.events = world_.events_processed();
  report_.sim_time_us = world_.now();

  nlohmann::json summary;
  summary["events"] = report_.events;
  summary["sim_time_us"] = report_.sim_time_us;
  summary["requests"] = report_.total_requests();
  summary["violations"] = report_.violations.size();
  trace_.close(summary);
  report_.trace_hash = trace_.hash();
  report_.trace_lines = trace_.lines();
  return std::move(report_);
}

void Run::schedule_arrival(TimeUs after_us) {
  const WorkloadOptions& workload = scenario_.workload;
  if (workload.rate_per_s <= 0 || layout_.clients.empty()) return;
  if (workload.max_requests != 0 && arrivals_ >= workload.max_requests) return;
  TimeUs at = after_us + std::llround(workload_rng_.exponential(1e6 / workload.rate_per_s));
  if (at >= to_us(workload.stop_ms)) return;
  world_.schedule(at, [this] { arrival(); });
}

void Run::arrival() {
  ++arrivals_;
  quiet_since_us_ = std::max(quiet_since_us_, world_.now());
  const WorkloadOptions& workload = scenario_.workload;
  NodeId client = layout_.clients[workload_rng_.below(layout_.clients.size())];
  ClientRequest request;
  request.id = next_request_id_++;
  request.kind = workload_rng_.chance(workload.get_size_fraction) ? RequestKind::get_size : RequestKind::get_image;
  request.image_id = zipf_ ? zipf_->sample(workload_rng_) - 1 : workload_rng_.below(scenario_.catalog.images);
  auto submit = [this, client, request] {
    TimeUs now = world_.now();
    touched_ = client;
    Trace::Line(trace_, now, "submit", name(client))
        .field("req", request.id)
        .field("kind", request_kind_name(request.kind))
        .field("image", request.image_id);
    // The client's deadline is in its local time; convert with its drift for the checker.
    double rate = 1.0 + drift_ppm_[client] / 1e6;
    TimeUs deadline_us = now + static_cast<TimeUs>(std::ceil(static_cast<double>(to_us(scenario_.cluster.client.request_deadline_ms)) / rate));
    for (auto& checker : checkers_) checker->on_submit(now, client, request, deadline_us);
    client_ports_[client]->submit(request);
  };
  // A running client takes the request within this event; a paused one finds it waiting when it resumes.
  if (world_.is_running(client)) {
    submit();
  } else {
    world_.inject(client, [submit](Node&) { submit(); });
  }
  schedule_arrival(world_.now());
}

void Run::on_client_result(NodeId client, const ClientResult& result) {
  TimeUs now = world_.now();
  ++report_.requests[static_cast<std::size_t>(result.kind)][static_cast<std::size_t>(result.outcome)];
  if (result.outcome != Outcome::rejected) report_.latency.on_result(now, result.latency_us);
  Trace::Line(trace_, now, "result", name(client))
      .field("req", result.id)
      .field("outcome", outcome_name(result.outcome))
      .field("served_by", result.served_by != 0 ? std::string_view(name(result.served_by)) : std::string_view())
      .field("attempts", result.attempts)
      .field("latency_us", result.latency_us);
  for (auto& checker : checkers_) checker->on_result(now, client, result);
}

NodeId Run::id_of(const std::string& host_name) const {
  std::optional<NodeId> id = world_.find(host_name);
  EC_ASSERT(id.has_value(), "scenario host names are validated when the scenario is loaded");
  return *id;
}

std::optional<NodeId> Run::current_leader() const {
  for (auto edge = layout_.edges.rbegin(); edge != layout_.edges.rend(); ++edge) {
    if (world_.is_running(*edge) && edge_views_[*edge] != nullptr && edge_views_[*edge]->status().role == Role::leader) {
      return *edge;
    }
  }
  return std::nullopt;
}

void Run::apply(Fault fault) {
  TimeUs now = world_.now();
  fault.at_ms = now / us_per_ms;
  if (fault.node == "leader") {
    std::optional<NodeId> leader = current_leader();
    if (!leader) {
      Trace::Line(trace_, now, "fault_skipped", "").field("fault", fault_kind_name(fault.kind)).field("reason", "no edge leads");
      return;
    }
    fault.node = name(*leader);
  }
  bool has_link = !fault.from.empty();
  switch (fault.kind) {
    case FaultKind::crash: world_.crash(id_of(fault.node)); break;
    case FaultKind::restart: world_.restart(id_of(fault.node)); break;
    case FaultKind::pause: world_.pause(id_of(fault.node)); break;
    case FaultKind::resume: world_.resume(id_of(fault.node)); break;
    case FaultKind::partition: world_.partition(group_ids(fault)); break;
    case FaultKind::isolate: world_.isolate(id_of(fault.node)); break;
    case FaultKind::cut: world_.cut(id_of(fault.from), id_of(fault.to)); break;
    case FaultKind::heal: world_.heal(); break;
    case FaultKind::degrade:
      if (has_link) world_.degrade(id_of(fault.from), id_of(fault.to), fault.link);
      else world_.degrade_all(fault.link);
      break;
    case FaultKind::restore:
      if (has_link) world_.restore(id_of(fault.from), id_of(fault.to));
      else world_.restore_all();
      break;
    case FaultKind::clock: {
      NodeId id = id_of(fault.node);
      world_.set_clock(id, to_us(fault.offset_ms), fault.drift_ppm);
      drift_ppm_[id] = fault.drift_ppm;
      break;
    }
    case FaultKind::forge: forge(fault); break;
    case FaultKind::slow: world_.slow(id_of(fault.node), fault.factor * healthy_event_cost_us); break;
    case FaultKind::recover: world_.slow(id_of(fault.node), 0); break;
    case FaultKind::hold:
      if (has_link) world_.hold_link(id_of(fault.from), id_of(fault.to));
      else world_.hold(group_ids(fault));
      break;
    case FaultKind::release: world_.release(fault.shuffled); break;
    default: break;  // The disk faults, below, once the fault's trace line is open.
  }
  Trace::Line line(trace_, now, "fault", fault.node);
  line.field("fault", fault_kind_name(fault.kind));
  if (is_disk_fault(fault.kind)) apply_disk_fault(fault, line);
  if (fault.kind == FaultKind::forge) line.field("as", fault.as).field("message", forged_message_name(fault.message));
  if (fault.kind == FaultKind::slow) line.field("factor", fault.factor);
  if (has_link) line.field("from", fault.from).field("to", fault.to);
  if (!fault.groups.empty()) line.json("groups", nlohmann::json(fault.groups).dump());
  if (fault.kind == FaultKind::release) line.field("order", fault.shuffled ? "shuffled" : "fifo");
  if (fault.kind == FaultKind::degrade) line.json("link", link_options_to_json(fault.link).dump());
  if (fault.kind == FaultKind::clock) line.field("offset_ms", fault.offset_ms).field("drift_ppm", std::to_string(fault.drift_ppm));
  quiet_since_us_ = std::max(quiet_since_us_, now);
  report_.latency.on_fault(now, report_.faults.size());
  report_.faults.push_back(std::move(fault));
}

void Run::apply_disk_fault(const Fault& fault, Trace::Line& line) {
  const std::string flipped = disks_->apply(fault.kind, id_of(fault.node), fault.factor);
  if (fault.kind == FaultKind::disk_slow) line.field("factor", fault.factor);
  if (fault.kind == FaultKind::disk_flip) line.field("file", flipped);
}

void Run::on_disk_notice(NodeId edge, const DiskNotice& notice) {
  Trace::Line(trace_, world_.now(), "disk", name(edge))
      .field("notice", disk_notice_kind_name(notice.kind))
      .field("file", notice.name)
      .field("reason", notice.reason);
}

// The forger is an outsider with a connection of its own to the edge, not a host: what it sends claims to
// come from `as` and reaches the edge at once, past the network's faults, and the checkers (which judge what
// real nodes send) never see it leave. It knows what the wire shows: the edge's epoch, which images the edges
// hold, and the edge's pull requests as they are sent.
std::vector<std::vector<NodeId>> Run::group_ids(const Fault& fault) const {
  std::vector<std::vector<NodeId>> groups;
  for (const auto& group : fault.groups) {
    groups.emplace_back();
    for (const std::string& member : group) groups.back().push_back(id_of(member));
  }
  return groups;
}

void Run::forge(const Fault& fault) {
  const NodeId node = id_of(fault.node);
  const NodeId as = id_of(fault.as);
  const Epoch epoch = edge_views_[node] != nullptr ? edge_views_[node]->status().epoch : 0;
  switch (fault.message) {
    case ForgedMessage::coordinator_max_epoch:
      deliver_forged(node, as, Coordinator{std::numeric_limits<Epoch>::max()});
      return;
    case ForgedMessage::pull_order: {
      // The source is an edge other than the claimed sender, so that an unrequested_reply as `as` can race
      // the pull (with two edges there is none, and the order names `as`).
      NodeId source = as;
      for (NodeId edge : layout_.edges) {
        if (edge != node && edge != as) {
          source = edge;
          break;
        }
      }
      deliver_forged(node, as, PullOrder{epoch, image_no_edge_holds(), source});
      return;
    }
    case ForgedMessage::unrequested_reply: armed_replies_.push_back(ArmedReply{node, as}); return;
    case ForgedMessage::inventory: deliver_forged(node, as, Holding{epoch, true, false, {image_no_edge_holds()}}); return;
  }
}

void Run::deliver_forged(NodeId node, NodeId as, Message message) {
  world_.inject(node, [this, node, as, message = std::move(message)](Node& target) {
    touched_ = node;
    quiet_since_us_ = std::max(quiet_since_us_, world_.now());
    {
      Trace::Line line(trace_, world_.now(), "forged", name(node));
      line.field("from", name(as)).field("msg", message_kind_name(kind_of(message)));
      add_message_fields(line, message, host_namer());
    }
    target.on_message(as, message);
  });
}

// An armed unrequested_reply answers the edge's next pull sent to anyone but `as`, before the real answer can
// arrive: the same request and image ids, other bytes of the image's size, and a checksum that matches them.
// Nothing was asked of `as`, so only the edge's check of who answers stands between the bytes and its cache.
void Run::answer_pull_first(NodeId from, NodeId to, const Message& message) {
  const auto* pull = std::get_if<GetImage>(&message);
  if (pull == nullptr || !pull->cache_only) return;
  auto armed = std::find_if(armed_replies_.begin(), armed_replies_.end(),
                            [&](const ArmedReply& reply) { return reply.node == from && reply.as != to; });
  if (armed == armed_replies_.end()) return;
  const NodeId as = armed->as;
  armed_replies_.erase(armed);
  const std::optional<ImageInfo> info = catalog_->info(pull->image_id);
  const Body other = make_body(std::vector<std::uint8_t>(info ? info->size_bytes : 1024, 0xA5));
  deliver_forged(from, as, ImageReply{pull->request_id, pull->image_id, Status::ok, other->checksum(), other});
}

// Returns the lowest image id no edge holds now, or the first id past the catalog if every image is held.
ImageId Run::image_no_edge_holds() const {
  std::vector<std::vector<ImageId>> held;
  for (NodeId edge : layout_.edges) {
    if (edge_views_[edge] != nullptr) held.push_back(edge_views_[edge]->cached_images());
  }
  for (ImageId image = 0; image < scenario_.catalog.images; ++image) {
    if (std::ranges::none_of(held, [image](const auto& ids) { return std::ranges::binary_search(ids, image); })) {
      return image;
    }
  }
  return scenario_.catalog.images;
}

void Run::nemesis_tick() {
  nemesis_.tick(world_.now(), world_, [this](const NemesisFault& chosen) {
    // The undo is scheduled before the fault is applied, which fixes the order of their events.
    if (chosen.undo) {
      world_.schedule(chosen.undo_at_us, [this, chosen] {
        nemesis_.undone(chosen);
        apply(*chosen.undo);
      });
    }
    apply(chosen.fault);
  });
  if (std::optional<TimeUs> next = nemesis_.next_tick_us(world_.now())) world_.schedule(*next, [this] { nemesis_tick(); });
}

void Run::check_expectations() {
  ExpectationInputs inputs;
  for (NodeId edge : layout_.edges) {
    if (edge_views_[edge] == nullptr || !world_.is_running(edge)) continue;
    EdgeStatus status = edge_views_[edge]->status();
    inputs.running_edges.push_back({name(edge), status.leader ? std::optional<std::string>(name(*status.leader)) : std::nullopt});
  }
  inputs.requests = report_.requests;
  inputs.origin_fetches_per_image = origin_fetches_per_image_;
  inputs.leader_changes = became_leader_ > 0 ? became_leader_ - 1 : 0;
  inputs.evictions = report_.edge_totals.evictions;
  inputs.latency = &report_.latency;
  if (report_.disk) inputs.disk_degraded_edges = report_.disk->degraded_edges;
  for (Violation& violation : sim::check_expectations(scenario_.expect, inputs, world_.now())) {
    context_.report(std::move(violation));
  }
}

void Run::on_send(TimeUs now, NodeId from, NodeId to, const Message& message, SendFate fate) {
  if (!armed_replies_.empty()) answer_pull_first(from, to, message);
  if (const auto* fetch = std::get_if<GetImage>(&message);
      fetch != nullptr && to == layout_.canonical && !fetch->cache_only && layout_.is_edge(from)) {
    ++origin_fetches_per_image_[fetch->image_id];
  }
  Trace::Line line(trace_, now, "send", name(from));
  line.field("to", name(to)).field("msg", message_kind_name(kind_of(message))).field("msg_id", world_.observed_message_id());
  add_message_fields(line, message, host_namer());
  line.field("fate", send_fate_name(fate));
}

void Run::on_deliver(TimeUs now, NodeId from, NodeId to, const Message& message) {
  touched_ = to;
  Trace::Line line(trace_, now, "recv", name(to));
  line.field("from", name(from)).field("msg", message_kind_name(kind_of(message))).field("msg_id", world_.observed_message_id());
  add_message_fields(line, message, host_namer());
}

void Run::on_drop(TimeUs now, NodeId from, NodeId to, const Message& message, DropReason reason) {
  Trace::Line(trace_, now, "drop", name(to))
      .field("from", name(from))
      .field("msg", message_kind_name(kind_of(message)))
      .field("msg_id", world_.observed_message_id())
      .field("reason", drop_reason_name(reason));
}

void Run::on_timer(TimeUs now, NodeId node, const Timer& timer) {
  touched_ = node;
  Trace::Line(trace_, now, "timer", name(node)).field("timer", timer_kind_name(timer.kind)).field("key", timer.key);
}

void Run::on_host_event(TimeUs now, NodeId node, HostEvent event) {
  touched_ = node;
  // What an edge's disk had queued, or held only in its write cache, dies with the host.
  if (event == HostEvent::crashed && layout_.is_edge(node)) disks_->power_loss(node);
  Trace::Line(trace_, now, host_event_name(event), name(node));
}

void Run::after_event(TimeUs now) {
  NodeId id = touched_;
  touched_ = 0;
  if (id == 0 || !layout_.is_edge(id) || edge_views_[id] == nullptr) return;
  const EdgeObservable& view = *edge_views_[id];
  EdgeStatus status = view.status();
  EdgeStatus& last = last_status_[id];
  if (status.role != last.role || status.leader != last.leader || status.epoch != last.epoch) {
    Trace::Line(trace_, now, "state", name(id))
        .field("role", role_name(status.role))
        .field("leader", status.leader ? std::string_view(name(*status.leader)) : std::string_view())
        .field("epoch", status.epoch);
    if (status.role == Role::leader && last.role != Role::leader) ++became_leader_;
  }
  last = status;
  for (auto& checker : checkers_) checker->after_edge_event(now, id, view);
}

}  // namespace

NodeFactories default_node_factories() {
  NodeFactories factories;
  factories.edge = [](Env& env, const EdgeConfig& config, LruCache& cache) {
    return std::make_unique<Edge>(env, config, cache);
  };
  factories.client = [](Env& env, const ClientConfig& config, Client::ResultHandler on_result) {
    return std::make_unique<Client>(env, config, std::move(on_result));
  };
  return factories;
}

RunReport run_scenario(const Scenario& scenario, const RunOptions& options, const NodeFactories& factories) {
  Run run(scenario, options, factories);
  return run.execute();
}

}  // namespace edgecache::sim
