#include "sim/recorded/node_replay.h"

#include <map>

#include "core/assert.h"
#include "core/base64.h"
#include "core/canonical.h"
#include "core/codec.h"
#include "core/message_fields.h"
#include "core/parse_number.h"
#include "sim/trace/daemon_random.h"
#include "sim/trace/trace.h"

namespace edgecache::sim {

namespace {

// A body whose size and checksum are known from a trace header but whose bytes never were recorded. Nothing
// in a replay reads bytes (outputs are compared by message_digest, which uses a body's size and checksum),
// so making them would mean a replay compares something it cannot know.
Body recorded_body(const RecordedImage& image) {
  return std::make_shared<const ImageBytes>(image.size_bytes, image.checksum, [](std::span<std::uint8_t>) {
    EC_ASSERT(false, "a replay never reads the bytes of an image its trace recorded only by checksum");
  });
}

// The send line's digest as a number, so its case and leading zeros do not matter (the reader checked that
// it is hex).
std::uint64_t recorded_digest(const nlohmann::json& line) {
  return parse_hex64(line["digest"].get_ref<const std::string&>()).value_or(0);
}

std::optional<TimerKind> timer_kind_named(const std::string& name) {
  for (std::uint8_t value = 0; value <= static_cast<std::uint8_t>(last_timer_kind); ++value) {
    if (timer_kind_name(static_cast<TimerKind>(value)) == name) return static_cast<TimerKind>(value);
  }
  return std::nullopt;
}

// Collects a message's trace fields (core/message_fields.h) into a JSON object.
struct JsonLine {
  nlohmann::ordered_json& json;
  JsonLine& field(std::string_view key, std::uint64_t value) {
    json[std::string(key)] = value;
    return *this;
  }
  JsonLine& field(std::string_view key, bool value) {
    json[std::string(key)] = value;
    return *this;
  }
  JsonLine& field(std::string_view key, std::string_view value) {
    json[std::string(key)] = value;
    return *this;
  }
  // Without this, a string literal would pick the bool overload (a pointer converts to bool first).
  JsonLine& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
};

}  // namespace

// The Env a replayed node runs in: the clock reads the current input's t_us, randomness is the daemon's
// stream from its recorded seed, timers are numbered as RealEnv numbers them, and every call is queued for
// comparison with the recorded outputs. Nothing is ever delivered or fired: the trace says what came next.
class NodeReplay::ReplayEnv final : public edgecache::Env {
 public:
  ReplayEnv(NodeId self, std::uint64_t seed, std::deque<ReplayedOutput>& outputs)
      : self_(self), random_(seed), outputs_(outputs) {}

  void set_now(TimeUs now_us) { now_us_ = now_us; }

  NodeId self() const override { return self_; }
  TimeUs now_us() override { return now_us_; }
  void send(NodeId to, Message message) override {
    ReplayedOutput output;
    output.ev = "send";
    output.to = to;
    output.message = std::move(message);
    outputs_.push_back(std::move(output));
  }
  TimerId start_timer(TimeUs delay_us, Timer timer) override {
    ReplayedOutput output;
    output.ev = "timer_set";
    output.timer_id = next_timer_id_++;
    output.timer = timer;
    output.delay_us = delay_us;
    outputs_.push_back(output);
    running_timers_[output.timer_id] = timer;
    return output.timer_id;
  }
  void cancel_timer(TimerId id) override {
    running_timers_.erase(id);
    ReplayedOutput output;
    output.ev = "timer_cancel";
    output.timer_id = id;
    outputs_.push_back(output);
  }
  std::uint64_t random_u64() override { return random_.next_u64(); }

  // Takes timer `id` off the running list as it fires; returns what it was started as, or nothing if the
  // replayed node never started it or cancelled it (a real Env never fires such a timer).
  std::optional<Timer> fire(TimerId id) {
    auto found = running_timers_.find(id);
    if (found == running_timers_.end()) return std::nullopt;
    Timer timer = found->second;
    running_timers_.erase(found);
    return timer;
  }

 private:
  NodeId self_;
  TimeUs now_us_ = 0;
  DaemonRandom random_;
  TimerId next_timer_id_ = 1;
  std::deque<ReplayedOutput>& outputs_;
  std::map<TimerId, Timer> running_timers_;
};

NodeReplay::NodeReplay(const NodeTrace& trace)
    : trace_(trace), env_(std::make_unique<ReplayEnv>(trace.header.node_id, trace.header.random_seed, pending_)) {
  const NodeTraceHeader& header = trace.header;
  EC_ASSERT(header.role == NodeRole::edge || header.role == NodeRole::canonical, "only edges and canonicals replay");
  if (header.role == NodeRole::canonical) {
    auto catalog = std::make_unique<MemoryCatalog>();
    for (const RecordedImage& image : header.catalog) {
      if (!catalog->info(image.id)) catalog->add(image.id, recorded_body(image));
    }
    catalog_ = std::move(catalog);
    node_ = std::make_unique<Canonical>(*env_, *catalog_);
    return;
  }
  cache_ = std::make_unique<LruCache>(header.cache_budget_bytes);
  for (const RecordedImage& image : header.preloaded) cache_->insert(image.id, recorded_body(image));
  node_ = std::make_unique<Edge>(*env_, header.edge_config, *cache_);
}

NodeReplay::~NodeReplay() = default;

const Edge* NodeReplay::edge() const {
  return trace_.header.role == NodeRole::edge ? static_cast<const Edge*>(node_.get()) : nullptr;
}

std::string NodeReplay::name_of(NodeId id) const { return recorded_node_name(trace_.header.hosts, id); }

std::string NodeReplay::describe(const ReplayedOutput& output) const {
  nlohmann::ordered_json json;
  json["ev"] = output.ev;
  if (output.ev == "send") {
    json["to"] = name_of(output.to);
    json["to_id"] = output.to;
    json["msg"] = message_kind_name(kind_of(output.message));
    JsonLine line{json};
    add_message_fields(line, output.message, [this](NodeId id) { return name_of(id); });
    json["digest"] = format_hash(message_digest(output.message));
  } else {
    json["timer_id"] = output.timer_id;
    if (output.ev == "timer_set") {
      json["timer"] = timer_kind_name(output.timer.kind);
      json["key"] = output.timer.key;
      json["delay_us"] = output.delay_us;
    }
  }
  return json.dump();
}

std::optional<ReplayProblem> NodeReplay::step(std::size_t index) {
  EC_ASSERT(index < trace_.events.size(), "step past the end of the trace");
  const NodeTraceEvent& event = trace_.events[index];
  delivered_.reset();
  matched_.reset();
  fired_.reset();
  if (is_input_event(event.ev)) return run_input(event);
  if (is_output_event(event.ev)) return match_output(event);
  if (event.ev == "state") return check_state(event);
  return std::nullopt;
}

std::optional<ReplayProblem> NodeReplay::run_input(const NodeTraceEvent& event) {
  if (!pending_.empty()) {
    return ReplayProblem{ReplayProblem::Kind::divergence, event.line, event.text,
                         describe(pending_.front()) + " (an output of the input at line " +
                             std::to_string(last_input_line_) + " that the trace does not record)"};
  }
  const nlohmann::json& json = event.json;
  env_->set_now(event.t_us);
  last_input_line_ = event.line;
  ++inputs_;
  if (event.ev == "started") {
    node_->on_start();
  } else if (event.ev == "recv") {
    std::optional<std::vector<std::uint8_t>> bytes = base64_decode(json["payload"].get<std::string>());
    if (!bytes) return ReplayProblem{ReplayProblem::Kind::bad_input, event.line, "", "recv line: \"payload\" is not base64"};
    DecodeResult decoded = decode(*bytes);
    if (!decoded.ok()) {
      return ReplayProblem{ReplayProblem::Kind::bad_input, event.line, "",
                           "recv line: \"payload\" does not decode as a message: " + decoded.error().reason};
    }
    delivered_ = std::move(decoded.message());
    node_->on_message(static_cast<NodeId>(json["from_id"].get<std::uint64_t>()), *delivered_);
  } else {
    std::optional<TimerKind> kind = timer_kind_named(json["timer"].get<std::string>());
    if (!kind) return ReplayProblem{ReplayProblem::Kind::bad_input, event.line, "", "timer line: unknown timer kind " + json["timer"].dump()};
    fired_ = Timer{*kind, json["key"].get<std::uint64_t>()};
    if (json.contains("timer_id") && json["timer_id"].is_number_unsigned()) {
      const TimerId id = json["timer_id"].get<TimerId>();
      std::optional<Timer> started = env_->fire(id);
      if (!started || started->kind != fired_->kind || started->key != fired_->key) {
        return ReplayProblem{ReplayProblem::Kind::divergence, event.line, event.text,
                             started ? "timer " + std::to_string(id) + " was started as " +
                                           std::string(timer_kind_name(started->kind)) + " key " + std::to_string(started->key)
                                     : "timer " + std::to_string(id) + " is not running in the replayed node"};
      }
    }
    node_->on_timer(*fired_);
  }
  return std::nullopt;
}

std::optional<ReplayProblem> NodeReplay::match_output(const NodeTraceEvent& event) {
  if (pending_.empty()) {
    std::string actual = last_input_line_ == 0 ? "nothing: the trace records no input before this line"
                                               : "nothing more after the input at line " + std::to_string(last_input_line_);
    return ReplayProblem{ReplayProblem::Kind::divergence, event.line, event.text, actual};
  }
  const ReplayedOutput& output = pending_.front();
  const nlohmann::json& json = event.json;
  bool same = output.ev == event.ev;
  if (same && output.ev == "send") {
    same = json["to_id"].get<std::uint64_t>() == output.to &&
           recorded_digest(json) == message_digest(output.message);
  } else if (same && output.ev == "timer_set") {
    same = json["timer_id"].get<std::uint64_t>() == output.timer_id &&
           json["timer"].get<std::string>() == timer_kind_name(output.timer.kind) &&
           json["key"].get<std::uint64_t>() == output.timer.key && json["delay_us"].get<std::int64_t>() == output.delay_us;
  } else if (same) {
    same = json["timer_id"].get<std::uint64_t>() == output.timer_id;
  }
  if (!same) return ReplayProblem{ReplayProblem::Kind::divergence, event.line, event.text, describe(output)};
  ++outputs_;
  matched_ = std::move(pending_.front());
  pending_.pop_front();
  return std::nullopt;
}

std::optional<ReplayProblem> NodeReplay::check_state(const NodeTraceEvent& event) const {
  const Edge* replayed = edge();
  if (replayed == nullptr) return std::nullopt;
  const EdgeStatus status = replayed->status();
  const nlohmann::json& json = event.json;
  const std::string leader = status.leader ? name_of(*status.leader) : std::string();
  if (json["role"].get<std::string>() == role_name(status.role) && json["leader"].get<std::string>() == leader &&
      json["epoch"].get<std::uint64_t>() == status.epoch) {
    return std::nullopt;
  }
  nlohmann::ordered_json actual;
  actual["ev"] = "state";
  actual["role"] = role_name(status.role);
  actual["leader"] = leader;
  actual["epoch"] = status.epoch;
  return ReplayProblem{ReplayProblem::Kind::divergence, event.line, event.text, actual.dump()};
}

std::optional<ReplayProblem> NodeReplay::finish() {
  if (pending_.empty() || !trace_.summary) return std::nullopt;
  const std::size_t end_line = trace_.events.empty() ? 2 : trace_.events.back().line + 1;
  return ReplayProblem{ReplayProblem::Kind::divergence, end_line, "the summary line: no more outputs",
                       describe(pending_.front()) + " (an output of the input at line " + std::to_string(last_input_line_) + ")"};
}

NodeReplayResult replay_node_trace(const NodeTrace& trace) {
  NodeReplay replay(trace);
  NodeReplayResult result;
  for (std::size_t index = 0; index < trace.events.size() && !result.problem; ++index) result.problem = replay.step(index);
  if (!result.problem) result.problem = replay.finish();
  result.inputs = replay.inputs();
  result.outputs = replay.outputs();
  return result;
}

}  // namespace edgecache::sim
