// Loads scenarios from JSON and writes them back. docs/scenarios.md describes the format; the bounds and
// messages here are the ones it documents, so a change to one belongs in the other.
//
// Loading stops at the first error. The field readers (sim/trace/json_fields.h) throw a FieldFailure that
// parse_scenario() catches and returns as a value, so a reader is one line at its call site instead of a
// chain of early returns; nothing thrown here escapes this file. The edge's settings are read and written
// by their table (sim/trace/edge_config_json.h), which node trace headers share.
//
// tidy: long file: the format's reader and writer belong together, one function per object of the format,
// so that a field added to one is seen beside the other.

#include "sim/scenario.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "core/catalog.h"
#include "core/parse_number.h"
#include "sim/trace/edge_config_json.h"

namespace edgecache::sim {
namespace {

using Json = FieldJson;

// Bounds on what a scenario may ask for. They keep arithmetic on times (milliseconds become microseconds,
// and the run length adds fault times and periods) far from overflow, and keep a typo from asking for
// a run that never ends.
constexpr std::uint32_t max_edges = 256;
constexpr std::uint32_t max_clients = 64;
constexpr std::uint64_t max_catalog_images = 10'000'000;
constexpr std::int64_t max_time_ms = 1'000'000'000;  // About 11.6 days of simulated time.
constexpr std::uint64_t max_config_count = 1'000'000'000;
constexpr double max_rate_per_s = 1'000'000.0;
constexpr double max_drift_ppm = 100'000.0;
// A nonzero bandwidth below one byte per second would turn one image into years of delay.
constexpr double min_bandwidth_bytes_per_ms = 0.001;
constexpr std::size_t max_faults = 100'000;
// Legitimate scenarios nest four levels deep; the bound only stops a hostile document.
constexpr std::size_t max_nesting_depth = 64;

// ---- Enum names -------------------------------------------------------------------------------------------

constexpr std::array<EnumName<RoutingMode>, 2> routing_names{{
    {"modulo", RoutingMode::modulo},
    {"rendezvous", RoutingMode::rendezvous},
}};
constexpr std::array<EnumName<LatencyDistribution>, 4> latency_names{{
    {"constant", LatencyDistribution::constant},
    {"uniform", LatencyDistribution::uniform},
    {"normal", LatencyDistribution::normal},
    {"lognormal", LatencyDistribution::lognormal},
}};
constexpr std::array<EnumName<Popularity>, 2> popularity_names{{
    {"uniform", Popularity::uniform},
    {"zipf", Popularity::zipf},
}};
constexpr std::array<EnumName<FaultKind>, 22> fault_kind_names{{
    {"crash", FaultKind::crash},
    {"restart", FaultKind::restart},
    {"pause", FaultKind::pause},
    {"resume", FaultKind::resume},
    {"partition", FaultKind::partition},
    {"isolate", FaultKind::isolate},
    {"cut", FaultKind::cut},
    {"heal", FaultKind::heal},
    {"degrade", FaultKind::degrade},
    {"restore", FaultKind::restore},
    {"clock", FaultKind::clock},
    {"forge", FaultKind::forge},
    {"slow", FaultKind::slow},
    {"recover", FaultKind::recover},
    {"hold", FaultKind::hold},
    {"release", FaultKind::release},
    {"disk_slow", FaultKind::disk_slow},
    {"disk_full", FaultKind::disk_full},
    {"disk_lose", FaultKind::disk_lose},
    {"disk_tear", FaultKind::disk_tear},
    {"disk_flip", FaultKind::disk_flip},
    {"disk_repair", FaultKind::disk_repair},
}};
constexpr std::array<EnumName<ForgedMessage>, 4> forged_message_names{{
    {"coordinator_max_epoch", ForgedMessage::coordinator_max_epoch},
    {"pull_order", ForgedMessage::pull_order},
    {"unrequested_reply", ForgedMessage::unrequested_reply},
    {"inventory", ForgedMessage::inventory},
}};

// ---- Reading the document with duplicate-key detection ------------------------------------------------------

// A SAX handler that builds the document and rejects what nlohmann's own DOM parser accepts silently: a key
// given twice in one object (the parser would keep the last) and absurd nesting. It also turns a syntax
// error into a line and column, which the scenario author can find in an editor.
class DocumentBuilder {
 public:
  explicit DocumentBuilder(const std::string& text) : text_(text) {}

  bool null() { return add(Json(nullptr)); }
  bool boolean(bool value) { return add(Json(value)); }
  bool number_integer(Json::number_integer_t value) { return add(Json(value)); }
  bool number_unsigned(Json::number_unsigned_t value) { return add(Json(value)); }
  bool number_float(Json::number_float_t value, const Json::string_t& /*text*/) { return add(Json(value)); }
  bool string(Json::string_t& value) { return add(Json(std::move(value))); }
  bool binary(Json::binary_t& /*value*/) {
    // JSON text has no binary values; only the binary formats produce this event.
    error_ = ScenarioError{"", "invalid JSON: binary value"};
    return false;
  }
  bool start_object(std::size_t /*elements*/) { return open(Json::object()); }
  bool key(Json::string_t& key) {
    Frame& frame = stack_.back();
    if (!frame.keys.insert(key).second) {
      error_ = ScenarioError{child_path(frame.path, key), "duplicate key"};
      return false;
    }
    frame.key = std::move(key);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*elements*/) { return open(Json::array()); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const Json::exception& exception) {
    error_ = ScenarioError{"", "invalid JSON at " + line_and_column(position) + ": " + parser_detail(exception)};
    return false;
  }

  Json& document() { return document_; }
  const std::optional<ScenarioError>& error() const { return error_; }

 private:
  struct Frame {
    Json* value = nullptr;
    std::string path;
    std::size_t next_index = 0;  // Arrays: index of the next element.
    std::string key;             // Objects: the key whose value comes next.
    std::set<std::string> keys;  // Objects: keys seen so far.
  };

  // The path of the value about to be added, advancing the enclosing array's index.
  std::string next_path() {
    if (stack_.empty()) return "";
    Frame& frame = stack_.back();
    if (frame.value->is_array()) return index_path(frame.path, frame.next_index++);
    return child_path(frame.path, frame.key);
  }

  // Inserts `value` where the parser is and returns where it now lives. Pointers to enclosing containers stay
  // valid because a container only grows while it is the innermost open one.
  Json* insert(Json value) {
    if (stack_.empty()) {
      document_ = std::move(value);
      return &document_;
    }
    Frame& frame = stack_.back();
    if (frame.value->is_array()) {
      frame.value->push_back(std::move(value));
      return &frame.value->back();
    }
    Json& slot = (*frame.value)[frame.key];
    slot = std::move(value);
    return &slot;
  }

  bool add(Json value) {
    if (!stack_.empty() && stack_.back().value->is_array()) ++stack_.back().next_index;
    insert(std::move(value));
    return true;
  }

  bool open(Json container) {
    std::string path = next_path();
    if (stack_.size() >= max_nesting_depth) {
      error_ = ScenarioError{path, "nested more than " + std::to_string(max_nesting_depth) + " levels deep"};
      return false;
    }
    Json* value = insert(std::move(container));
    stack_.push_back(Frame{value, std::move(path), 0, {}, {}});
    return true;
  }

  // `position` counts the bytes read, so the offending byte has index position - 1 (or is the end of input).
  std::string line_and_column(std::size_t position) const {
    const std::size_t offset = std::min(position > 0 ? position - 1 : 0, text_.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
  }

  // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 4, column 0: "; its
  // position counts a newline as the start of the next line, so it is replaced with ours.
  static std::string parser_detail(const Json::exception& exception) {
    const std::string message = exception.what();
    const std::size_t prefix = message.find("parse error");
    if (prefix != std::string::npos) {
      const std::size_t colon = message.find(": ", prefix);
      if (colon != std::string::npos) return message.substr(colon + 2);
    }
    return message;
  }

  const std::string& text_;
  Json document_;
  std::vector<Frame> stack_;
  std::optional<ScenarioError> error_;
};

// ---- Field readers -----------------------------------------------------------------------------------------

constexpr NumberBounds probability_bounds{0.0, 1.0};
constexpr NumberBounds non_negative_ms_bounds{0.0, static_cast<double>(max_time_ms)};
// A ratio of two latencies: positive, and at most a million (beyond that it bounds nothing).
constexpr NumberBounds ratio_bounds{0.0, 1e6, true};

// ---- Host names ----------------------------------------------------------------------------------------------

// Parses the decimal number after "edge-" or "client-". Leading zeros are refused so each host has one name.
std::optional<std::uint64_t> parse_host_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 9 || digits.front() == '0') return std::nullopt;
  return parse_decimal(digits);
}

std::string describe_hosts(const ClusterOptions& cluster) {
  return "canonical, edge-1..edge-" + std::to_string(cluster.edges) + ", client-1..client-" +
         std::to_string(cluster.clients);
}

bool is_edge_name(const ClusterOptions& cluster, std::string_view name) {
  constexpr std::string_view prefix = "edge-";
  if (!name.starts_with(prefix)) return false;
  const auto number = parse_host_number(name.substr(prefix.size()));
  return number && *number <= cluster.edges;
}

std::string expect_host(const Json& value, const std::string& path, const ClusterOptions& cluster,
                        bool allow_leader) {
  std::string name = expect_string(value, path);
  if (is_host_name(cluster, name, allow_leader)) return name;
  if (name == "leader") {
    fail_field(path, "leader is allowed only in a fault's node field; name a host: " + describe_hosts(cluster));
  }
  fail_field(path, "unknown host " + name + "; this cluster has " + describe_hosts(cluster));
}

// ---- Objects of the format -----------------------------------------------------------------------------------

void read_client_config(const Json& value, const std::string& path, ClientConfig& client) {
  const ObjectReader object(value, path,
                            {"routing", "attempt_timeout_ms", "request_deadline_ms", "max_pending_requests",
                             "failover", "hedging", "passive_health", "ejection_ms", "max_ejection_ms"});
  object.read("routing", client.routing, routing_names);
  object.read("attempt_timeout_ms", client.attempt_timeout_ms, 1, max_time_ms);
  object.read("request_deadline_ms", client.request_deadline_ms, 1, max_time_ms);
  object.read("max_pending_requests", client.max_pending_requests, 1, max_config_count);
  object.read("failover", client.failover);
  object.read("hedging", client.hedging);
  object.read("passive_health", client.passive_health);
  object.read("ejection_ms", client.ejection_ms, 1, max_time_ms);
  object.read("max_ejection_ms", client.max_ejection_ms, 1, max_time_ms);
  if (client.ejection_ms > client.max_ejection_ms) {
    fail_field(object.path("ejection_ms"), "must not exceed max_ejection_ms (" + std::to_string(client.max_ejection_ms) + ")");
  }
}

void read_cluster(const Json& value, const std::string& path, ClusterOptions& cluster) {
  const ObjectReader object(value, path,
                            {"edges", "clients", "cache_budget_bytes", "restart_keeps_cache", "disk",
                             "disk_write_latency_ms", "edge", "client"});
  object.read("edges", cluster.edges, 1, max_edges);
  object.read("clients", cluster.clients, 1, max_clients);
  object.read("cache_budget_bytes", cluster.cache_budget_bytes, 1, std::numeric_limits<std::uint64_t>::max());
  object.read("restart_keeps_cache", cluster.restart_keeps_cache);
  object.read("disk", cluster.disk);
  object.read("disk_write_latency_ms", cluster.disk_write_latency_ms, 0, max_time_ms);
  if (cluster.disk && cluster.restart_keeps_cache) {
    fail_field(object.path("disk"), "cannot be combined with restart_keeps_cache (a perfect disk); choose one");
  }
  if (const Json* edge = object.find("edge")) read_edge_settings(*edge, object.path("edge"), cluster.edge);
  if (const Json* client = object.find("client")) read_client_config(*client, object.path("client"), cluster.client);
}

void read_catalog(const Json& value, const std::string& path, CatalogOptions& catalog) {
  const ObjectReader object(value, path, {"images", "seed", "min_size_bytes", "median_size_bytes", "max_size_bytes"});
  object.read("images", catalog.images, 1, max_catalog_images);
  object.read("seed", catalog.seed, 0, std::numeric_limits<std::uint64_t>::max());
  object.read("min_size_bytes", catalog.min_size_bytes, 1, max_image_bytes);
  object.read("median_size_bytes", catalog.median_size_bytes, 1, max_image_bytes);
  object.read("max_size_bytes", catalog.max_size_bytes, 1, max_image_bytes);
  if (catalog.median_size_bytes < catalog.min_size_bytes) {
    fail_field(object.path("median_size_bytes"), "must be at least min_size_bytes (" +
                                               std::to_string(catalog.min_size_bytes) + "), got " +
                                               std::to_string(catalog.median_size_bytes));
  }
  if (catalog.max_size_bytes < catalog.median_size_bytes) {
    fail_field(object.path("max_size_bytes"), "must be at least median_size_bytes (" +
                                            std::to_string(catalog.median_size_bytes) + "), got " +
                                            std::to_string(catalog.max_size_bytes));
  }
}

// Reads a link object on top of `link`, so that absent fields keep whatever `link` held.
void read_link(const Json& value, const std::string& path, LinkOptions& link) {
  const ObjectReader object(value, path,
                            {"latency", "jitter_ms", "loss_probability", "duplicate_probability",
                             "bandwidth_bytes_per_ms"});
  if (const Json* latency_value = object.find("latency")) {
    const ObjectReader latency(*latency_value, object.path("latency"), {"distribution", "mean_ms", "stddev_ms"});
    latency.read("distribution", link.latency_distribution, latency_names);
    latency.read("mean_ms", link.latency_ms_mean, non_negative_ms_bounds);
    latency.read("stddev_ms", link.latency_ms_stddev, non_negative_ms_bounds);
  }
  object.read("jitter_ms", link.jitter_ms, non_negative_ms_bounds);
  object.read("loss_probability", link.loss_probability, probability_bounds);
  object.read("duplicate_probability", link.duplicate_probability, probability_bounds);
  object.read("bandwidth_bytes_per_ms", link.bandwidth_bytes_per_ms,
              NumberBounds{0.0, std::numeric_limits<double>::max()});
  if (link.bandwidth_bytes_per_ms != 0.0 && link.bandwidth_bytes_per_ms < min_bandwidth_bytes_per_ms) {
    fail_field(object.path("bandwidth_bytes_per_ms"), "must be 0 (unlimited) or at least " +
                                                    format_number(min_bandwidth_bytes_per_ms) + ", got " +
                                                    format_number(link.bandwidth_bytes_per_ms));
  }
}

void read_workload(const Json& value, const std::string& path, WorkloadOptions& workload) {
  const ObjectReader object(value, path,
                            {"rate_per_s", "start_ms", "stop_ms", "popularity", "get_size_fraction",
                             "max_requests"});
  object.read("rate_per_s", workload.rate_per_s, NumberBounds{0.0, max_rate_per_s});
  object.read("start_ms", workload.start_ms, 0, max_time_ms);
  object.read("stop_ms", workload.stop_ms, 0, max_time_ms);
  if (const Json* popularity_value = object.find("popularity")) {
    const ObjectReader popularity(*popularity_value, object.path("popularity"), {"distribution", "s"});
    popularity.read("distribution", workload.popularity, popularity_names);
    // The exponent is accepted (and ignored) with a uniform distribution too, so that every scenario,
    // whatever it holds in zipf_s, writes out and reads back unchanged.
    popularity.read("s", workload.zipf_s, NumberBounds{0.0, std::numeric_limits<double>::max(), true});
  }
  object.read("get_size_fraction", workload.get_size_fraction, probability_bounds);
  object.read("max_requests", workload.max_requests, 0, std::numeric_limits<std::uint64_t>::max());
  if (workload.stop_ms < workload.start_ms) {
    fail_field(object.path("stop_ms"), "must be at least start_ms (" + std::to_string(workload.start_ms) + "), got " +
                                     std::to_string(workload.stop_ms));
  }
}

// The JSON keys each fault kind takes besides at_ms and kind.
struct FaultFields {
  bool node = false;
  bool from_to = false;
  bool from_to_required = false;
  bool groups = false;
  bool link = false;
  bool clock = false;  // offset_ms and drift_ppm.
  bool forge = false;  // as and message.
  bool slow = false;   // factor.
  bool hold = false;   // groups, or from and to; exactly one of the two.
  bool release = false;  // order.
};

FaultFields fault_fields(FaultKind kind) {
  switch (kind) {
    case FaultKind::crash:
    case FaultKind::restart:
    case FaultKind::pause:
    case FaultKind::resume:
    case FaultKind::isolate: return FaultFields{.node = true};
    case FaultKind::partition: return FaultFields{.groups = true};
    case FaultKind::cut: return FaultFields{.from_to = true, .from_to_required = true};
    case FaultKind::heal: return FaultFields{};
    case FaultKind::degrade: return FaultFields{.from_to = true, .link = true};
    case FaultKind::restore: return FaultFields{.from_to = true};
    case FaultKind::clock: return FaultFields{.node = true, .clock = true};
    case FaultKind::forge: return FaultFields{.node = true, .forge = true};
    case FaultKind::slow: return FaultFields{.node = true, .slow = true};
    case FaultKind::recover: return FaultFields{.node = true};
    case FaultKind::hold: return FaultFields{.hold = true};
    case FaultKind::release: return FaultFields{.release = true};
    case FaultKind::disk_slow: return FaultFields{.node = true, .slow = true};
    case FaultKind::disk_full:
    case FaultKind::disk_lose:
    case FaultKind::disk_tear:
    case FaultKind::disk_flip:
    case FaultKind::disk_repair: return FaultFields{.node = true};
  }
  return FaultFields{};
}

bool fault_takes(const FaultFields& fields, std::string_view key) {
  if (key == "at_ms" || key == "kind") return true;
  if (key == "node") return fields.node;
  if (key == "from" || key == "to") return fields.from_to || fields.hold;
  if (key == "groups") return fields.groups || fields.hold;
  if (key == "order") return fields.release;
  if (key == "link") return fields.link;
  if (key == "offset_ms" || key == "drift_ppm") return fields.clock;
  if (key == "as" || key == "message") return fields.forge;
  if (key == "factor") return fields.slow;
  return false;
}

void read_groups(const Json& value, const std::string& path, const ClusterOptions& cluster,
                 std::vector<std::vector<std::string>>& groups) {
  if (!value.is_array()) fail_field(path, "expected an array of arrays of host names, got " + json_type_phrase(value));
  if (value.empty()) fail_field(path, "must list at least one group");
  std::map<std::string, std::size_t> group_of_host;
  for (std::size_t g = 0; g < value.size(); ++g) {
    const std::string group_path = index_path(path, g);
    const Json& group_value = value[g];
    if (!group_value.is_array()) fail_field(group_path, "expected an array of host names, got " + json_type_phrase(group_value));
    if (group_value.empty()) fail_field(group_path, "must name at least one host");
    std::vector<std::string> group;
    for (std::size_t h = 0; h < group_value.size(); ++h) {
      const std::string host_path = index_path(group_path, h);
      std::string host = expect_host(group_value[h], host_path, cluster, false);
      const auto [it, inserted] = group_of_host.emplace(host, g);
      if (!inserted) fail_field(host_path, host + " already appears in " + index_path("groups", it->second));
      group.push_back(std::move(host));
    }
    groups.push_back(std::move(group));
  }
}

// A hold names either groups or one directed link.
void read_hold_target(const ObjectReader& object, const ClusterOptions& cluster, Fault& fault) {
  const Json* groups = object.find("groups");
  const Json* from = object.find("from");
  const Json* to = object.find("to");
  if ((groups == nullptr) == (from == nullptr && to == nullptr)) {
    fail_field(object.path("groups"), "fault kind hold needs either groups or from and to, not both");
  }
  if (groups != nullptr) {
    read_groups(*groups, object.path("groups"), cluster, fault.groups);
    return;
  }
  if (from == nullptr || to == nullptr) {
    fail_field(object.path(from == nullptr ? "from" : "to"), "missing; fault kind hold needs from and to");
  }
  fault.from = expect_host(*from, object.path("from"), cluster, false);
  fault.to = expect_host(*to, object.path("to"), cluster, false);
  if (fault.from == fault.to) fail_field(object.path("to"), "must differ from from (" + fault.from + ")");
}

void read_release_order(const ObjectReader& object, Fault& fault) {
  const Json* order = object.find("order");
  if (order == nullptr) return;
  const std::string name = expect_string(*order, object.path("order"));
  if (name != "fifo" && name != "shuffled") {
    fail_field(object.path("order"), "expected one of fifo, shuffled; got \"" + name + "\"");
  }
  fault.shuffled = name == "shuffled";
}

// A disk fault needs a disk, on an edge.
void check_disk_fault(const ObjectReader& object, const Scenario& scenario, const Fault& fault) {
  const std::string kind = fault_kind_name(fault.kind);
  if (!scenario.cluster.disk) {
    fail_field(object.path("kind"), kind + " needs cluster.disk: true (edges have no simulated disk)");
  }
  if (fault.node != "leader" && !is_edge_name(scenario.cluster, fault.node)) {
    fail_field(object.path("node"), "must name an edge or leader: only edges have a disk, got " + fault.node);
  }
}

Fault read_fault(const Json& value, const std::string& path, const Scenario& scenario) {
  const ObjectReader object(value, path,
                            {"at_ms", "kind", "node", "from", "to", "groups", "link", "offset_ms", "drift_ppm", "as",
                             "message", "factor", "order"});
  Fault fault;
  const Json* kind = object.find("kind");
  if (kind == nullptr) fail_field(object.path("kind"), "missing; every fault needs one of " + enum_choices(fault_kind_names));
  fault.kind = expect_enum(*kind, object.path("kind"), fault_kind_names);
  const FaultFields fields = fault_fields(fault.kind);
  for (const auto& item : value.items()) {
    if (!fault_takes(fields, item.key())) {
      fail_field(object.path(item.key()), std::string("not used by fault kind ") + fault_kind_name(fault.kind));
    }
  }
  object.read("at_ms", fault.at_ms, 0, max_time_ms);

  const ClusterOptions& cluster = scenario.cluster;
  if (fields.node) {
    const Json* node = object.find("node");
    if (node == nullptr) {
      fail_field(object.path("node"), std::string("missing; fault kind ") + fault_kind_name(fault.kind) +
                                    " needs a host name or leader");
    }
    fault.node = expect_host(*node, object.path("node"), cluster, true);
  }
  if (fields.from_to) {
    const Json* from = object.find("from");
    const Json* to = object.find("to");
    if (from == nullptr && (to != nullptr || fields.from_to_required)) {
      fail_field(object.path("from"), std::string("missing; fault kind ") + fault_kind_name(fault.kind) +
                                    (fields.from_to_required ? " needs from and to" : " needs from with to"));
    }
    if (to == nullptr && (from != nullptr || fields.from_to_required)) {
      fail_field(object.path("to"), std::string("missing; fault kind ") + fault_kind_name(fault.kind) +
                                  (fields.from_to_required ? " needs from and to" : " needs to with from"));
    }
    if (from != nullptr) {
      fault.from = expect_host(*from, object.path("from"), cluster, false);
      fault.to = expect_host(*to, object.path("to"), cluster, false);
      if (fault.from == fault.to) fail_field(object.path("to"), "must differ from from (" + fault.from + ")");
    }
  }
  if (fields.groups) {
    const Json* groups = object.find("groups");
    if (groups == nullptr) fail_field(object.path("groups"), "missing; fault kind partition needs groups");
    read_groups(*groups, object.path("groups"), cluster, fault.groups);
  }
  if (fields.link) {
    const Json* link = object.find("link");
    if (link == nullptr) fail_field(object.path("link"), "missing; fault kind degrade needs link");
    // Fields the degraded link leaves out keep the scenario's network values: "degrade this link to 30%
    // loss" should not also reset its latency.
    fault.link = scenario.network;
    read_link(*link, object.path("link"), fault.link);
  }
  if (fields.clock) {
    object.read("offset_ms", fault.offset_ms, 0, max_time_ms);
    object.read("drift_ppm", fault.drift_ppm, NumberBounds{-max_drift_ppm, max_drift_ppm});
  }
  if (fields.forge) {
    // Only edges act on peer messages, so only an edge is worth forging to; `leader` is refused because the
    // edge it names could turn out to be the claimed sender itself.
    if (!is_edge_name(cluster, fault.node)) {
      fail_field(object.path("node"), "must name an edge: forged messages go to edges, got " + fault.node);
    }
    const Json* as = object.find("as");
    if (as == nullptr) fail_field(object.path("as"), "missing; fault kind forge needs the host the message claims to come from");
    fault.as = expect_host(*as, object.path("as"), cluster, false);
    if (fault.as == fault.node) fail_field(object.path("as"), "must differ from node (" + fault.node + ")");
    const Json* message = object.find("message");
    if (message == nullptr) {
      fail_field(object.path("message"), "missing; fault kind forge needs one of " + enum_choices(forged_message_names));
    }
    fault.message = expect_enum(*message, object.path("message"), forged_message_names);
  }
  if (fields.hold) read_hold_target(object, cluster, fault);
  if (fields.release) read_release_order(object, fault);
  if (fields.slow) {
    if (object.find("factor") == nullptr) {
      fail_field(object.path("factor"), fault.kind == FaultKind::slow
                                            ? "missing; fault kind slow needs how many times slower the host runs"
                                            : "missing; fault kind disk_slow needs how many times slower the disk writes");
    }
    object.read("factor", fault.factor, 1, max_slow_factor);
  }
  if (is_disk_fault(fault.kind)) check_disk_fault(object, scenario, fault);
  return fault;
}

void read_faults(const Json& value, const std::string& path, const Scenario& scenario, std::vector<Fault>& faults) {
  if (!value.is_array()) fail_field(path, "expected an array, got " + json_type_phrase(value));
  if (value.size() > max_faults) {
    fail_field(path, "lists " + std::to_string(value.size()) + " faults; at most " + std::to_string(max_faults));
  }
  for (std::size_t i = 0; i < value.size(); ++i) faults.push_back(read_fault(value[i], index_path(path, i), scenario));
  // Authors may group faults by theme rather than time; the simulator wants them in time order, and ties
  // keep the order written so that "crash then restart at the same instant" means what it says.
  std::stable_sort(faults.begin(), faults.end(), [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
}

void read_nemesis(const Json& value, const std::string& path, NemesisOptions& nemesis) {
  const ObjectReader object(value, path,
                            {"enabled", "start_ms", "stop_ms", "interval_ms", "fault_duration_ms",
                             "crash_probability", "pause_probability", "partition_probability",
                             "isolate_probability", "cut_probability", "degrade_probability", "clock_probability",
                             "slow_probability", "hold_probability", "disk_probability", "include_canonical"});
  object.read("enabled", nemesis.enabled);
  object.read("start_ms", nemesis.start_ms, 0, max_time_ms);
  object.read("stop_ms", nemesis.stop_ms, 0, max_time_ms);
  object.read("interval_ms", nemesis.interval_ms, 1, max_time_ms);
  object.read("fault_duration_ms", nemesis.fault_duration_ms, 1, max_time_ms);
  object.read("crash_probability", nemesis.crash_probability, probability_bounds);
  object.read("pause_probability", nemesis.pause_probability, probability_bounds);
  object.read("partition_probability", nemesis.partition_probability, probability_bounds);
  object.read("isolate_probability", nemesis.isolate_probability, probability_bounds);
  object.read("cut_probability", nemesis.cut_probability, probability_bounds);
  object.read("degrade_probability", nemesis.degrade_probability, probability_bounds);
  object.read("clock_probability", nemesis.clock_probability, probability_bounds);
  object.read("slow_probability", nemesis.slow_probability, probability_bounds);
  object.read("hold_probability", nemesis.hold_probability, probability_bounds);
  object.read("disk_probability", nemesis.disk_probability, probability_bounds);
  object.read("include_canonical", nemesis.include_canonical);
  if (nemesis.stop_ms < nemesis.start_ms) {
    fail_field(object.path("stop_ms"), "must be at least start_ms (" + std::to_string(nemesis.start_ms) + "), got " +
                                     std::to_string(nemesis.stop_ms));
  }
  // An enabled nemesis with an empty window would silently do nothing, which is never what the author meant.
  if (nemesis.enabled && nemesis.stop_ms == nemesis.start_ms) {
    fail_field(object.path("stop_ms"), "must exceed start_ms (" + std::to_string(nemesis.start_ms) +
                                     ") when the nemesis is enabled, got " + std::to_string(nemesis.stop_ms));
  }
}

void read_checks(const Json& value, const std::string& path, CheckOptions& checks) {
  const ObjectReader object(value, path, {"leader_overlap_limit_ms", "quiet_period_ms", "answer_grace_ms"});
  object.read("leader_overlap_limit_ms", checks.leader_overlap_limit_ms, 1, max_time_ms);
  object.read("quiet_period_ms", checks.quiet_period_ms, 0, max_time_ms);
  object.read("answer_grace_ms", checks.answer_grace_ms, 0, max_time_ms);
}

void read_disk_degraded(const Json& value, const std::string& path, const ClusterOptions& cluster, Expectations& expect) {
  if (!value.is_array()) fail_field(path, "expected an array of edge names, got " + json_type_phrase(value));
  if (!cluster.disk && !value.empty()) fail_field(path, "needs cluster.disk: true (edges have no simulated disk)");
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string name = expect_string(value[i], index_path(path, i));
    if (!is_edge_name(cluster, name)) fail_field(index_path(path, i), name + " is not an edge of this cluster");
    expect.disk_degraded.push_back(std::move(name));
  }
}

// Expectation fields may be null, which means "no expectation", so that a written scenario can show every
// field explicitly.
void read_expectations(const Json& value, const std::string& path, const ClusterOptions& cluster,
                       Expectations& expect) {
  const ObjectReader object(value, path,
                            {"final_leader", "min_success_ratio", "max_origin_fetches_per_image",
                             "min_leader_changes", "min_evictions", "max_fault_p99_ratio", "disk_degraded"});
  auto present = [&](std::string_view key) -> const Json* {
    const Json* field = object.find(key);
    return field == nullptr || field->is_null() ? nullptr : field;
  };
  if (const Json* field = present("final_leader")) {
    std::string name = expect_string(*field, object.path("final_leader"));
    if (!is_edge_name(cluster, name)) {
      fail_field(object.path("final_leader"), name + " is not an edge of this cluster (edge-1..edge-" +
                                            std::to_string(cluster.edges) + ")");
    }
    expect.final_leader = std::move(name);
  }
  if (const Json* field = present("min_success_ratio")) {
    expect.min_success_ratio = expect_number(*field, object.path("min_success_ratio"), probability_bounds);
  }
  constexpr std::uint64_t any = std::numeric_limits<std::uint64_t>::max();
  if (const Json* field = present("max_origin_fetches_per_image")) {
    expect.max_origin_fetches_per_image = expect_uint(*field, object.path("max_origin_fetches_per_image"), 0, any);
  }
  if (const Json* field = present("min_leader_changes")) {
    expect.min_leader_changes = expect_uint(*field, object.path("min_leader_changes"), 0, any);
  }
  if (const Json* field = present("min_evictions")) {
    expect.min_evictions = expect_uint(*field, object.path("min_evictions"), 0, any);
  }
  if (const Json* field = present("max_fault_p99_ratio")) {
    expect.max_fault_p99_ratio = expect_number(*field, object.path("max_fault_p99_ratio"), ratio_bounds);
  }
  if (const Json* field = present("disk_degraded")) read_disk_degraded(*field, object.path("disk_degraded"), cluster, expect);
}

Scenario read_scenario(const Json& document) {
  const ObjectReader object(document, "",
                            {"name", "description", "seed", "duration_ms", "protocol", "cluster", "catalog",
                             "network", "workload", "faults", "nemesis", "checks", "expect"});
  Scenario scenario;
  object.read("name", scenario.name);
  object.read("description", scenario.description);
  object.read("seed", scenario.seed, 0, std::numeric_limits<std::uint64_t>::max());
  object.read("duration_ms", scenario.duration_ms, 1, max_time_ms);
  object.read("protocol", scenario.protocol, protocol_names);
  // Order matters below: host names in faults and expectations are checked against the cluster's shape, and
  // a degraded link starts from the network's options.
  if (const Json* field = object.find("cluster")) read_cluster(*field, "cluster", scenario.cluster);
  if (const Json* field = object.find("catalog")) read_catalog(*field, "catalog", scenario.catalog);
  if (const Json* field = object.find("network")) read_link(*field, "network", scenario.network);
  if (const Json* field = object.find("workload")) read_workload(*field, "workload", scenario.workload);
  if (const Json* field = object.find("faults")) read_faults(*field, "faults", scenario, scenario.faults);
  if (const Json* field = object.find("nemesis")) read_nemesis(*field, "nemesis", scenario.nemesis);
  if (scenario.nemesis.disk_probability > 0 && !scenario.cluster.disk) {
    fail_field("nemesis.disk_probability", "needs cluster.disk: true (edges have no simulated disk)");
  }
  if (const Json* field = object.find("checks")) read_checks(*field, "checks", scenario.checks);
  if (const Json* field = object.find("expect")) {
    read_expectations(*field, "expect", scenario.cluster, scenario.expect);
  }
  return scenario;
}

// ---- Writing -------------------------------------------------------------------------------------------------

// Writes only the fields the fault's kind takes, since the loader rejects the others.
nlohmann::json fault_to_json(const Fault& fault) {
  const FaultFields fields = fault_fields(fault.kind);
  nlohmann::json result;
  result["at_ms"] = fault.at_ms;
  result["kind"] = fault_kind_name(fault.kind);
  if (fields.node) result["node"] = fault.node;
  if (fields.from_to && (fields.from_to_required || !fault.from.empty() || !fault.to.empty())) {
    result["from"] = fault.from;
    result["to"] = fault.to;
  }
  if (fields.groups) result["groups"] = fault.groups;
  if (fields.link) result["link"] = link_options_to_json(fault.link);
  if (fields.clock) {
    result["offset_ms"] = fault.offset_ms;
    result["drift_ppm"] = fault.drift_ppm;
  }
  if (fields.forge) {
    result["as"] = fault.as;
    result["message"] = forged_message_name(fault.message);
  }
  if (fields.slow) result["factor"] = fault.factor;
  if (fields.hold) {
    if (!fault.groups.empty()) {
      result["groups"] = fault.groups;
    } else {
      result["from"] = fault.from;
      result["to"] = fault.to;
    }
  }
  if (fields.release) result["order"] = fault.shuffled ? "shuffled" : "fifo";
  return result;
}

template <typename Value>
nlohmann::json optional_to_json(const std::optional<Value>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

bool is_disk_fault(FaultKind kind) { return kind >= FaultKind::disk_slow && kind <= FaultKind::disk_repair; }

Fault host_fault(std::int64_t at_ms, FaultKind kind, std::string node) {
  Fault fault;
  fault.at_ms = at_ms;
  fault.kind = kind;
  fault.node = std::move(node);
  return fault;
}

const char* fault_kind_name(FaultKind kind) { return enum_name(fault_kind_names, kind); }

const char* forged_message_name(ForgedMessage message) { return enum_name(forged_message_names, message); }

bool is_host_name(const ClusterOptions& cluster, const std::string& name, bool allow_leader) {
  if (name == "canonical") return true;
  if (name == "leader") return allow_leader;
  if (is_edge_name(cluster, name)) return true;
  constexpr std::string_view client_prefix = "client-";
  if (!std::string_view(name).starts_with(client_prefix)) return false;
  const auto number = parse_host_number(std::string_view(name).substr(client_prefix.size()));
  return number && *number <= cluster.clients;
}

ScenarioResult parse_scenario(const std::string& json_text) {
  DocumentBuilder builder(json_text);
  const bool parsed = Json::sax_parse(json_text, &builder);
  if (!parsed || builder.error()) {
    return ScenarioResult{std::nullopt, builder.error().value_or(ScenarioError{"", "invalid JSON"})};
  }
  try {
    return ScenarioResult{read_scenario(builder.document()), std::nullopt};
  } catch (const FieldFailure& failure) {
    return ScenarioResult{std::nullopt, failure.error};
  }
}

nlohmann::json link_options_to_json(const LinkOptions& link) {
  nlohmann::json latency;
  latency["distribution"] = enum_name(latency_names, link.latency_distribution);
  latency["mean_ms"] = link.latency_ms_mean;
  latency["stddev_ms"] = link.latency_ms_stddev;
  nlohmann::json result;
  result["latency"] = latency;
  result["jitter_ms"] = link.jitter_ms;
  result["loss_probability"] = link.loss_probability;
  result["duplicate_probability"] = link.duplicate_probability;
  result["bandwidth_bytes_per_ms"] = link.bandwidth_bytes_per_ms;
  return result;
}

nlohmann::json scenario_to_json(const Scenario& scenario) {
  nlohmann::json result;
  result["name"] = scenario.name;
  result["description"] = scenario.description;
  result["seed"] = scenario.seed;
  result["duration_ms"] = scenario.duration_ms;
  result["protocol"] = enum_name(protocol_names, scenario.protocol);

  const ClusterOptions& cluster = scenario.cluster;
  nlohmann::json client;
  client["routing"] = enum_name(routing_names, cluster.client.routing);
  client["attempt_timeout_ms"] = cluster.client.attempt_timeout_ms;
  client["request_deadline_ms"] = cluster.client.request_deadline_ms;
  client["max_pending_requests"] = cluster.client.max_pending_requests;
  client["failover"] = cluster.client.failover;
  client["hedging"] = cluster.client.hedging;
  client["passive_health"] = cluster.client.passive_health;
  client["ejection_ms"] = cluster.client.ejection_ms;
  client["max_ejection_ms"] = cluster.client.max_ejection_ms;
  nlohmann::json& cluster_json = result["cluster"];
  cluster_json["edges"] = cluster.edges;
  cluster_json["clients"] = cluster.clients;
  cluster_json["cache_budget_bytes"] = cluster.cache_budget_bytes;
  cluster_json["restart_keeps_cache"] = cluster.restart_keeps_cache;
  // The disk fields, the nemesis's disk_probability and the disk_degraded expectation are written only when
  // used, so a scenario without a disk keeps a short header and the trace hash it had without them.
  if (cluster.disk) {
    cluster_json["disk"] = true;
    cluster_json["disk_write_latency_ms"] = cluster.disk_write_latency_ms;
  }
  cluster_json["edge"] = edge_settings_json<nlohmann::json>(cluster.edge);
  cluster_json["client"] = client;

  nlohmann::json& catalog = result["catalog"];
  catalog["images"] = scenario.catalog.images;
  catalog["seed"] = scenario.catalog.seed;
  catalog["min_size_bytes"] = scenario.catalog.min_size_bytes;
  catalog["median_size_bytes"] = scenario.catalog.median_size_bytes;
  catalog["max_size_bytes"] = scenario.catalog.max_size_bytes;

  result["network"] = link_options_to_json(scenario.network);

  const WorkloadOptions& workload = scenario.workload;
  nlohmann::json& workload_json = result["workload"];
  workload_json["rate_per_s"] = workload.rate_per_s;
  workload_json["start_ms"] = workload.start_ms;
  workload_json["stop_ms"] = workload.stop_ms;
  workload_json["popularity"]["distribution"] = enum_name(popularity_names, workload.popularity);
  workload_json["popularity"]["s"] = workload.zipf_s;
  workload_json["get_size_fraction"] = workload.get_size_fraction;
  workload_json["max_requests"] = workload.max_requests;

  nlohmann::json faults = nlohmann::json::array();
  for (const Fault& fault : scenario.faults) faults.push_back(fault_to_json(fault));
  result["faults"] = faults;

  const NemesisOptions& nemesis = scenario.nemesis;
  nlohmann::json& nemesis_json = result["nemesis"];
  nemesis_json["enabled"] = nemesis.enabled;
  nemesis_json["start_ms"] = nemesis.start_ms;
  nemesis_json["stop_ms"] = nemesis.stop_ms;
  nemesis_json["interval_ms"] = nemesis.interval_ms;
  nemesis_json["fault_duration_ms"] = nemesis.fault_duration_ms;
  nemesis_json["crash_probability"] = nemesis.crash_probability;
  nemesis_json["pause_probability"] = nemesis.pause_probability;
  nemesis_json["partition_probability"] = nemesis.partition_probability;
  nemesis_json["isolate_probability"] = nemesis.isolate_probability;
  nemesis_json["cut_probability"] = nemesis.cut_probability;
  nemesis_json["degrade_probability"] = nemesis.degrade_probability;
  nemesis_json["clock_probability"] = nemesis.clock_probability;
  nemesis_json["slow_probability"] = nemesis.slow_probability;
  nemesis_json["hold_probability"] = nemesis.hold_probability;
  if (nemesis.disk_probability > 0) nemesis_json["disk_probability"] = nemesis.disk_probability;
  nemesis_json["include_canonical"] = nemesis.include_canonical;

  nlohmann::json& checks = result["checks"];
  checks["leader_overlap_limit_ms"] = scenario.checks.leader_overlap_limit_ms;
  checks["quiet_period_ms"] = scenario.checks.quiet_period_ms;
  checks["answer_grace_ms"] = scenario.checks.answer_grace_ms;

  nlohmann::json& expect = result["expect"];
  expect["final_leader"] = optional_to_json(scenario.expect.final_leader);
  expect["min_success_ratio"] = optional_to_json(scenario.expect.min_success_ratio);
  expect["max_origin_fetches_per_image"] = optional_to_json(scenario.expect.max_origin_fetches_per_image);
  expect["min_leader_changes"] = optional_to_json(scenario.expect.min_leader_changes);
  expect["min_evictions"] = optional_to_json(scenario.expect.min_evictions);
  expect["max_fault_p99_ratio"] = optional_to_json(scenario.expect.max_fault_p99_ratio);
  if (!scenario.expect.disk_degraded.empty()) expect["disk_degraded"] = scenario.expect.disk_degraded;
  return result;
}

SyntheticCatalogOptions catalog_options(const Scenario& scenario) {
  const CatalogOptions& catalog = scenario.catalog;
  return SyntheticCatalogOptions{catalog.seed, catalog.images, catalog.min_size_bytes, catalog.max_size_bytes,
                                 catalog.median_size_bytes};
}

}  // namespace edgecache::sim
