#pragma once
// A scenario is data: cluster shape, network, workload, faults and checks, loaded from JSON. The format,
// with every field, unit and default, is documented in docs/scenarios.md; parse_scenario() rejects unknown
// keys and wrong types with an error naming the field path and the reason.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.h"
#include "core/client.h"
#include "core/edge.h"
#include "sim/checkers/check_options.h"
#include "sim/trace/json_fields.h"
#include "sim/world/link_options.h"

namespace edgecache::sim {

enum class FaultKind : std::uint8_t {
  crash,     // node: volatile state lost; the host stays down until restart.
  restart,   // node: rebuilt from scratch (an edge keeps its cache iff cluster.restart_keeps_cache).
  pause,     // node: stops processing; messages and timers wait.
  resume,    // node: processes what waited, with stale beliefs.
  partition, // groups: hosts in different groups cannot exchange messages; unlisted hosts form one more group.
  isolate,   // node: cut off from every other host, both ways.
  cut,       // from, to: messages from `from` to `to` are lost (one way).
  heal,      // removes every partition, isolation and cut (not link degradation).
  degrade,   // from, to (or every link when both are absent): link options replaced by `link`.
  restore,   // from, to (or every link): link options back to the scenario's network.
  clock,     // node: clock offset jumps forward by offset_ms and drift becomes drift_ppm.
  forge,     // node, as, message: an outsider sends the edge `node` a crafted message claiming to come from `as`.
  slow,      // node, factor: the host handles each event as if it took factor * healthy_event_cost_us.
  recover,   // node: the host is as fast as the others again.
  hold,      // groups, or from and to: messages between the groups (or on the link) are kept, not delivered.
  release,   // order: every hold ends and what was kept is delivered now, in send order or shuffled.
  // Disk faults, on an edge's simulated disk (cluster.disk must be on); see sim/world/sim_disk.h.
  disk_slow,    // node, factor: every write takes factor times cluster.disk_write_latency_ms.
  disk_full,    // node: every write fails with no_space.
  disk_lose,    // node: writes are acknowledged but lost by the next crash, until disk_repair.
  disk_tear,    // node: the next write lands only its first half and reports success.
  disk_flip,    // node: one bit of one stored file flips.
  disk_repair,  // node: ends disk_slow, disk_full and disk_lose.
};
const char* fault_kind_name(FaultKind kind);
// Whether `kind` is one of the disk_* kinds.
bool is_disk_fault(FaultKind kind);
// The highest FaultKind, for code that walks them all.
constexpr FaultKind last_fault_kind = FaultKind::disk_repair;

// What one event (a message, a timer, an input) is taken to cost a healthy host. The simulator runs a
// healthy host's work in no time, since this is far below a network hop; a slow host (fault kind slow)
// is busy for factor times this after each event, and what comes meanwhile waits its turn.
constexpr TimeUs healthy_event_cost_us = 100;
constexpr std::int64_t max_slow_factor = 100'000;

// What a forge fault sends; docs/scenarios.md says what each is made of and what it is for.
enum class ForgedMessage : std::uint8_t {
  coordinator_max_epoch,  // A Coordinator with the largest epoch there is.
  pull_order,             // A PullOrder for an image no edge holds, at the edge's epoch, naming a third edge.
  unrequested_reply,      // Another image's bytes racing the real answer to the edge's next pull.
  inventory,              // A complete Holding claiming `as` holds an image no edge holds.
};
const char* forged_message_name(ForgedMessage message);

struct Fault {
  std::int64_t at_ms = 0;
  FaultKind kind = FaultKind::crash;
  // A host name ("canonical", "edge-2", "client-1") or "leader": the edge that leads when the fault fires.
  std::string node;
  std::string from;
  std::string to;
  std::vector<std::vector<std::string>> groups;
  LinkOptions link;
  std::int64_t offset_ms = 0;
  double drift_ppm = 0.0;
  std::string as;  // A host name: who a forged message claims to come from.
  ForgedMessage message = ForgedMessage::coordinator_max_epoch;
  std::int64_t factor = 1;  // slow: how many times healthy_event_cost_us each event takes.
  bool shuffled = false;    // release: deliver in a random order rather than in send order.

  friend bool operator==(const Fault&, const Fault&) = default;
};

// A fault of a kind that names one host and nothing else (crash, restart, pause, resume, isolate, recover)
// at `at_ms`.
Fault host_fault(std::int64_t at_ms, FaultKind kind, std::string node);

// Random faults drawn from the nemesis's own seed stream. Every interval_ms in [start_ms, stop_ms) each
// kind fires with its probability; a fault that has an undo (crash/restart, pause/resume, partition/heal,
// degrade/restore) is undone fault_duration_ms later. All are undone by stop_ms.
struct NemesisOptions {
  bool enabled = false;
  std::int64_t start_ms = 0;
  std::int64_t stop_ms = 0;
  std::int64_t interval_ms = 1000;
  std::int64_t fault_duration_ms = 2000;
  double crash_probability = 0.0;
  double pause_probability = 0.0;
  double partition_probability = 0.0;
  double isolate_probability = 0.0;
  double cut_probability = 0.0;
  double degrade_probability = 0.0;
  double clock_probability = 0.0;
  double slow_probability = 0.0;   // An edge (or the canonical, with include_canonical) turns slow, then recovers.
  double hold_probability = 0.0;   // Messages across a two-sided split are held, then released.
  // An edge's disk turns slow, full or lying (then is repaired), or tears a write or flips a bit (one-shot).
  // Needs cluster.disk.
  double disk_probability = 0.0;
  bool include_canonical = false;  // Whether the canonical may be crashed, paused or slowed too.

  friend bool operator==(const NemesisOptions&, const NemesisOptions&) = default;
};

enum class Popularity : std::uint8_t { uniform, zipf };

struct WorkloadOptions {
  double rate_per_s = 100.0;  // Poisson arrivals across all clients.
  std::int64_t start_ms = 0;
  std::int64_t stop_ms = 10000;
  Popularity popularity = Popularity::zipf;
  double zipf_s = 1.0;
  double get_size_fraction = 0.1;  // The rest are get_image.
  std::uint64_t max_requests = 0;  // 0 means unlimited; otherwise arrivals stop after this many.

  friend bool operator==(const WorkloadOptions&, const WorkloadOptions&) = default;
};

struct CatalogOptions {
  std::uint64_t images = 1000;
  // Drives the images' sizes and contents. It is not the run's seed: the catalog is part of the scenario, like
  // the images of a real deployment, so every seed of a sweep meets the same images and shares one catalog.
  std::uint64_t seed = 1;
  std::uint64_t min_size_bytes = 1024;
  std::uint64_t median_size_bytes = 32 * 1024;
  std::uint64_t max_size_bytes = 1024 * 1024;

  friend bool operator==(const CatalogOptions&, const CatalogOptions&) = default;
};

struct ClusterOptions {
  std::uint32_t edges = 3;
  std::uint32_t clients = 1;
  std::uint64_t cache_budget_bytes = 64ULL * 1024 * 1024;
  bool restart_keeps_cache = false;
  // Each edge mirrors its cache on a simulated disk (core/disk_mirror.h, sim/world/sim_disk.h) and a
  // restarted edge reloads what its disk holds. Excludes restart_keeps_cache, which is a perfect disk.
  bool disk = false;
  std::int64_t disk_write_latency_ms = 1;  // A healthy disk's time for one durable write.
  EdgeConfig edge;      // Timing and limits; canonical, edges and protocol are filled in by the cluster.
  ClientConfig client;  // Timing, routing and failover; edges are filled in by the cluster.

  friend bool operator==(const ClusterOptions&, const ClusterOptions&) = default;
};

// Expected outcomes, checked at the end of the run in addition to the checkers.
struct Expectations {
  std::optional<std::string> final_leader;            // Host name every live edge must follow at the end.
  std::optional<double> min_success_ratio;            // ok / (all outcomes other than not_found).
  std::optional<std::uint64_t> max_origin_fetches_per_image;
  std::optional<std::uint64_t> min_leader_changes;
  std::optional<std::uint64_t> min_evictions;
  // Every fault window's p99 latency at most this times the steady state's (sim/latency.h).
  std::optional<double> max_fault_p99_ratio;
  // Edges whose disk mirror must have been degraded (stopped writing after a failed write) during the run.
  std::vector<std::string> disk_degraded;

  friend bool operator==(const Expectations&, const Expectations&) = default;
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::int64_t duration_ms = 20000;  // The run ends at max(duration_ms, last fault + quiet period).
  Protocol protocol = Protocol::standard;
  ClusterOptions cluster;
  CatalogOptions catalog;
  LinkOptions network;
  WorkloadOptions workload;
  std::vector<Fault> faults;  // Sorted by at_ms (stable) after loading.
  NemesisOptions nemesis;
  CheckOptions checks;
  Expectations expect;

  friend bool operator==(const Scenario&, const Scenario&) = default;
};

// An error in a scenario: `path` names the field ("faults[2].at_ms", "" for the document itself), and
// message() reads "faults[2].at_ms: expected an integer, got a string".
using ScenarioError = FieldError;

// Parses and validates a scenario from JSON text. Returns the scenario or the first error found.
struct ScenarioResult {
  std::optional<Scenario> scenario;
  std::optional<ScenarioError> error;
};
ScenarioResult parse_scenario(const std::string& json_text);

// Serializes a scenario back to JSON, every field explicit, such that parse_scenario(to_json(s)) == s.
// Used for trace headers and for writing minimized scenarios.
nlohmann::json scenario_to_json(const Scenario& scenario);
// Serializes one link object, in the layout of the scenario's "network" field.
nlohmann::json link_options_to_json(const LinkOptions& link);

// Host names: "canonical", "edge-1".."edge-N", "client-1".."client-M". Returns whether `name` names a host
// of a cluster of this shape (or is "leader" when allow_leader).
bool is_host_name(const ClusterOptions& cluster, const std::string& name, bool allow_leader);

// Returns the options of the synthetic catalog `scenario` describes, in the core's terms.
SyntheticCatalogOptions catalog_options(const Scenario& scenario);

}  // namespace edgecache::sim
