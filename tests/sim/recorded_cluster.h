#pragma once
// A small cluster of real core nodes (edges, a canonical) on a test-only event loop, each recording its node
// trace with the daemons' own writer (sim/trace/node_trace_writer.h) the way a daemon's RealEnv drives it
// (docs/real-traces.md): a frozen clock per event, the daemons' random stream from a recorded seed, timers
// numbered 1, 2, 3..., a Lamport clock carried by every message, every input in full and every output by
// digest. It stands in for real daemons in tests of
// `sim replay-node` and `sim check`; a test can also play local HTTP requests and a load client's trace, drop
// messages between two nodes (unrecorded, as a network fault nobody logged would be), crash a node (its
// trace ends without a summary) and restart it (a new incarnation, a new trace).

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/canonical.h"
#include "core/catalog.h"
#include "core/edge.h"
#include "core/hex.h"
#include "sim/trace/daemon_random.h"
#include "sim/trace/edge_config_json.h"
#include "sim/trace/node_names.h"
#include "sim/trace/node_trace_writer.h"

namespace edgecache::sim::testing {

constexpr std::int64_t recorded_cluster_wall_start_us = 1'796'198'400'000'000;


class RecordedCluster {
 public:
  struct ImageSpec {
    ImageId id;
    std::size_t size_bytes;
  };

  explicit RecordedCluster(std::vector<NodeId> edges, NodeId canonical, std::vector<ImageSpec> images)
      : edge_ids_(std::move(edges)), canonical_id_(canonical) {
    for (NodeId id : edge_ids_) names_[id] = "edge-" + std::to_string(id);
    names_[canonical_id_] = "canonical";
    for (const ImageSpec& image : images) {
      std::vector<std::uint8_t> bytes(image.size_bytes);
      for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(image.id * 31 + i * 7);
      catalog_.add(image.id, make_body(std::move(bytes)));
      image_ids_.push_back(image.id);
    }
    edge_config_.canonical = canonical_id_;
    edge_config_.edges = edge_ids_;
    // The load client records node_id 900 here; the real one records 0, as no daemon knows its id.
    client_writer_ = std::make_unique<NodeTraceWriter>(
        [lines = client_lines_](const std::string& line) { lines->push_back(line); }, "client-1",
        std::map<NodeId, std::string>{});
    client_writer_->header(
        {{"node", "client-1"}, {"node_id", client_id}, {"role", "client"}, {"wall_us", recorded_cluster_wall_start_us}});
  }

  EdgeConfig& edge_config() { return edge_config_; }
  // Messages between `a` and `b` are lost both ways from now on (nothing records it).
  void block(NodeId a, NodeId b) {
    blocked_.insert({a, b});
    blocked_.insert({b, a});
  }
  // The wall clock of `id`'s machine runs `offset_us` ahead of the others (negative: behind).
  void set_wall_offset(NodeId id, std::int64_t offset_us) { wall_offset_us_[id] = offset_us; }

  // Starts every node at time 0.
  void start() {
    start_node(canonical_id_);
    for (NodeId id : edge_ids_) start_node(id);
  }

  // A local HTTP request for `image` to edge `edge` at time `at_us`, recorded in the load client's trace.
  void request_image(TimeUs at_us, NodeId edge, ImageId image) {
    schedule(at_us, [this, edge, image] {
      const RequestId request = next_request_++;
      const NodeId local = first_local_client_id + static_cast<NodeId>(request);
      local_requests_[local] = {request, image, now_};
      client_line("submit", {{"req", request}, {"kind", "get_image"}, {"image", image}, {"deadline_us", now_ + 3'000'000}});
      deliver(local, edge, GetImage{request, image, false}, 0);
    });
  }

  // With `keep_cache`, the edge's cache survives as a daemon's disk cache does, and its next incarnation
  // starts with it (recorded as the header's "preloaded").
  void crash_at(TimeUs at_us, NodeId id, bool keep_cache = false) {
    schedule(at_us, [this, id, keep_cache] {
      if (keep_cache) saved_caches_[id] = std::move(nodes_.at(id)->cache);
      nodes_.erase(id);
    });
  }
  void restart_at(TimeUs at_us, NodeId id) { schedule(at_us, [this, id] { start_node(id); }); }

  void run_until(TimeUs end_us) {
    while (!queue_.empty() && queue_.top().at_us <= end_us) {
      Scheduled next = queue_.top();
      queue_.pop();
      now_ = next.at_us;
      actions_[next.sequence]();
      actions_.erase(next.sequence);
    }
    now_ = end_us;
  }

  // Writes the summary line of every running node and of the client trace.
  void shut_down() {
    for (auto& [id, node] : nodes_) node->writer().close({{"lines", 0}});
    client_writer_->close({{"requests", next_request_ - 1}});
    nodes_.clear();
  }

  // Every trace recorded for `id`, one per incarnation, as file text.
  std::vector<std::string> traces_of(NodeId id) const {
    std::vector<std::string> texts;
    auto found = traces_.find(id);
    if (found == traces_.end()) return texts;
    for (const std::vector<std::string>& lines : found->second) texts.push_back(join(lines));
    return texts;
  }
  std::string client_trace() const { return join(*client_lines_); }
  const std::string& name(NodeId id) const { return names_.at(id); }

  static constexpr NodeId client_id = 900;

 private:
  struct Scheduled {
    TimeUs at_us;
    std::uint64_t sequence;
    bool operator>(const Scheduled& other) const {
      return at_us != other.at_us ? at_us > other.at_us : sequence > other.sequence;
    }
  };

  // One incarnation: the node, its recording Env, and the trace it writes.
  class Hosted final : public Env {
   public:
    Hosted(RecordedCluster& cluster, NodeId id, std::uint64_t number, std::uint64_t seed, std::vector<std::string>& trace)
        : incarnation(number), cluster_(cluster), id_(id), random_(seed),
          writer_([&trace](const std::string& line) { trace.push_back(line); }, cluster.name_of(id), cluster.names_),
          start_us_(cluster.now_) {}

    NodeId self() const override { return id_; }
    TimeUs now_us() override { return cluster_.now_ - start_us_; }
    void send(NodeId to, Message message) override {
      ++lamport_;
      writer_.sent(stamp(), to, message);
      cluster_.route(id_, to, std::move(message), lamport_);
    }
    TimerId start_timer(TimeUs delay_us, Timer timer) override {
      const TimerId timer_id = next_timer_id_++;
      live_timers_.insert(timer_id);
      writer_.timer_set(stamp(), timer_id, timer, delay_us);
      cluster_.schedule(cluster_.now_ + delay_us, [cluster = &cluster_, id = id_, number = incarnation, timer_id, timer] {
        Hosted* self = cluster->current(id, number);
        if (self == nullptr || self->live_timers_.erase(timer_id) == 0) return;
        self->input(0, [&](NodeTraceWriter& writer, const TraceStamp& stamp) { writer.timer_fired(stamp, timer_id, timer); },
                    [&](Node& target) { target.on_timer(timer); });
      });
      return timer_id;
    }
    void cancel_timer(TimerId timer_id) override {
      writer_.timer_cancelled(stamp(), timer_id);
      live_timers_.erase(timer_id);
    }
    std::uint64_t random_u64() override { return random_.next_u64(); }

    // Brackets one input as RealEnv::begin_event/end_event do: `record` writes its line, `call` hands it to
    // the node, and a state line follows if the edge's role, leader or epoch changed.
    template <typename Record, typename Call>
    void input(std::uint64_t seen_lamport, Record record, Call call) {
      lamport_ = std::max(lamport_, seen_lamport) + 1;
      record(writer_, stamp());
      call(*node);
      if (auto* edge = dynamic_cast<Edge*>(node.get())) {
        const EdgeStatus status = edge->status();
        if (status.role != last_.role || status.leader != last_.leader || status.epoch != last_.epoch) {
          writer_.state(stamp(), status);
        }
        last_ = status;
      }
    }

    NodeTraceWriter& writer() { return writer_; }

    const std::uint64_t incarnation;
    std::unique_ptr<LruCache> cache;
    std::unique_ptr<Node> node;

   private:
    TraceStamp stamp() const { return {cluster_.now_ - start_us_, cluster_.wall_us(id_), lamport_}; }

    RecordedCluster& cluster_;
    NodeId id_;
    DaemonRandom random_;
    NodeTraceWriter writer_;
    TimeUs start_us_;
    std::uint64_t lamport_ = 0;
    TimerId next_timer_id_ = 1;
    std::set<TimerId> live_timers_;
    EdgeStatus last_;
  };
  friend class Hosted;

  static std::string join(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    return text;
  }

  std::int64_t wall_us(NodeId id) const {
    auto offset = wall_offset_us_.find(id);
    return recorded_cluster_wall_start_us + now_ + (offset == wall_offset_us_.end() ? 0 : offset->second);
  }

  std::string name_of(NodeId id) const { return recorded_node_name(names_, id); }

  // The running incarnation of `id` if it is number `incarnation`, else nullptr (its events died with it).
  Hosted* current(NodeId id, std::uint64_t incarnation) {
    auto found = nodes_.find(id);
    return found != nodes_.end() && found->second->incarnation == incarnation ? found->second.get() : nullptr;
  }

  void schedule(TimeUs at_us, std::function<void()> action) {
    const std::uint64_t sequence = next_sequence_++;
    actions_[sequence] = std::move(action);
    queue_.push({at_us, sequence});
  }

  void start_node(NodeId id) {
    std::vector<std::string>& trace = traces_[id].emplace_back();
    const std::uint64_t seed = 0x5EED00 + id * 1000 + traces_[id].size();
    const std::uint64_t incarnation = next_incarnation_++;
    auto hosted = std::make_unique<Hosted>(*this, id, incarnation, seed, trace);
    nlohmann::ordered_json header{{"node", name_of(id)}, {"node_id", id}};
    if (id == canonical_id_) {
      header["role"] = "canonical";
      header["wall_us"] = wall_us(id);
      header["random_seed"] = std::to_string(seed);
      nlohmann::ordered_json catalog = nlohmann::ordered_json::array();
      for (ImageId image : image_ids_) {
        const ImageInfo info = *catalog_.info(image);
        catalog.push_back({image, info.size_bytes, hex64(info.checksum)});
      }
      header["catalog"] = catalog;
      hosted->node = std::make_unique<Canonical>(*hosted, catalog_);
    } else {
      header["role"] = "edge";
      header["wall_us"] = wall_us(id);
      header["random_seed"] = std::to_string(seed);
      header["edge_config"] = edge_config_json(edge_config_);
      header["cache_budget_bytes"] = cache_budget_bytes;
      hosted->cache = std::make_unique<LruCache>(cache_budget_bytes);
      if (auto saved = saved_caches_.find(id); saved != saved_caches_.end()) {
        nlohmann::ordered_json preloaded = nlohmann::ordered_json::array();
        for (ImageId image : saved->second->ids()) {
          Body body = saved->second->peek(image);
          hosted->cache->insert(image, body);
          preloaded.push_back({image, body->size(), hex64(body->checksum())});
        }
        header["preloaded"] = preloaded;
        saved_caches_.erase(saved);
      }
      hosted->node = std::make_unique<Edge>(*hosted, edge_config_, *hosted->cache);
    }
    hosted->writer().header(std::move(header));
    nodes_[id] = std::move(hosted);
    schedule(now_, [this, id, incarnation] {
      Hosted* raw = current(id, incarnation);
      if (raw == nullptr) return;
      raw->input(0, [](NodeTraceWriter& writer, const TraceStamp& stamp) { writer.started(stamp); },
                 [](Node& node) { node.on_start(); });
    });
  }

  // Takes a message a node sent: to a local request it ends the request (the load client records the
  // result); otherwise it arrives a millisecond later unless blocked or the destination is down.
  void route(NodeId from, NodeId to, Message message, std::uint64_t lamport) {
    if (to >= first_local_client_id) {
      auto request = local_requests_.find(to);
      if (request == local_requests_.end()) return;
      const auto* reply = std::get_if<ImageReply>(&message);
      nlohmann::ordered_json fields{{"req", request->second.request}, {"kind", "get_image"}, {"image", request->second.image}};
      fields["outcome"] = reply != nullptr && reply->status == Status::ok ? "ok" : "unavailable";
      fields["served_by"] = name_of(from);
      fields["attempts"] = 1;
      fields["latency_us"] = now_ - request->second.submitted_us;
      if (reply != nullptr && reply->body) {
        fields["size"] = reply->body->size();
        fields["checksum"] = hex64(reply->body->checksum());
      }
      local_requests_.erase(request);
      schedule(now_, [this, fields] { client_line("result", fields); });
      return;
    }
    if (blocked_.contains({from, to})) return;
    schedule(now_ + 1000, [this, from, to, message = std::move(message), lamport] { deliver(from, to, message, lamport); });
  }

  void deliver(NodeId from, NodeId to, const Message& message, std::uint64_t lamport) {
    auto found = nodes_.find(to);
    if (found == nodes_.end()) return;
    found->second->input(lamport,
                         [&](NodeTraceWriter& writer, const TraceStamp& stamp) { writer.received(stamp, from, lamport, message); },
                         [&](Node& node) { node.on_message(from, message); });
  }

  // One line of the load client's trace, stamped as the real client stamps its lines.
  void client_line(const char* ev, const nlohmann::ordered_json& fields) {
    NodeTraceWriter::Line line(*client_writer_, {now_, recorded_cluster_wall_start_us + now_, ++client_lamport_}, ev);
    for (const auto& [key, value] : fields.items()) line.json_field(key, value);
  }

  struct LocalRequest {
    RequestId request;
    ImageId image;
    TimeUs submitted_us;
  };

 public:
  std::uint64_t cache_budget_bytes = 1 << 20;

 private:
  std::vector<NodeId> edge_ids_;
  NodeId canonical_id_;
  std::map<NodeId, std::string> names_;
  MemoryCatalog catalog_;
  std::vector<ImageId> image_ids_;
  EdgeConfig edge_config_;
  std::set<std::pair<NodeId, NodeId>> blocked_;
  std::map<NodeId, std::int64_t> wall_offset_us_;
  TimeUs now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::priority_queue<Scheduled, std::vector<Scheduled>, std::greater<>> queue_;
  std::map<std::uint64_t, std::function<void()>> actions_;
  std::map<NodeId, std::unique_ptr<Hosted>> nodes_;
  // A deque, so a restart's new trace leaves the references to earlier ones valid.
  std::map<NodeId, std::deque<std::vector<std::string>>> traces_;
  std::uint64_t next_incarnation_ = 1;
  std::map<NodeId, LocalRequest> local_requests_;
  std::map<NodeId, std::unique_ptr<LruCache>> saved_caches_;
  RequestId next_request_ = 1;
  // Shared with the client writer's sink, so the lines stay where the writer puts them if the cluster moves.
  std::shared_ptr<std::vector<std::string>> client_lines_ = std::make_shared<std::vector<std::string>>();
  std::unique_ptr<NodeTraceWriter> client_writer_;
  std::uint64_t client_lamport_ = 0;
};

}  // namespace edgecache::sim::testing
