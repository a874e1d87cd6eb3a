#pragma once
// Checkers watch the cluster from outside the nodes: they see every message, timer and host event through
// the world's observer interface, read edges only through EdgeObservable, and report violations. Safety is
// checked as events happen; liveness and replication once the faults have stopped and a quiet period passed.
//
// To add a checker: write a class deriving from Checker in a file of its own here, add its factory to
// make_checkers() in all_checkers.cpp, and add a test under tests/sim/checkers/ in which a deliberately
// broken node makes it fire.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/catalog.h"
#include "core/client.h"
#include "core/edge.h"
#include "sim/checkers/check_options.h"
#include "sim/world/host_states.h"
#include "sim/world/world_observer.h"

namespace edgecache::sim {

struct Violation {
  std::string checker;
  TimeUs time_us = 0;
  std::string node;  // Host name, or "" for the cluster as a whole.
  std::string detail;
};

// Which hosts play which part.
struct ClusterLayout {
  NodeId canonical = 0;
  std::vector<NodeId> edges;  // Ascending, which is Bully rank order.
  std::vector<NodeId> clients;
  bool is_edge(NodeId id) const;
  bool is_client(NodeId id) const;
};

// What every checker may use.
struct CheckContext {
  // The simulated World, or the hosts of a real run as its traces show them (sim/world/host_states.h).
  const HostStates& world;
  const ClusterLayout& layout;
  const Catalog& catalog;
  const CheckOptions& checks;  // The scenario's `checks` block.
  // Returns the observable view of a running or paused edge, or nullptr if it is down.
  std::function<const EdgeObservable*(NodeId)> edge_view;
  // Records a violation (the cluster also writes it to the trace).
  std::function<void(Violation)> report;
};

// What an edge's simulated disk held when an incarnation of the edge started, and what the edge's cache
// held once it had loaded from it.
struct DiskLoad {
  std::vector<std::pair<std::string, Body>> files;  // By name.
  std::vector<std::pair<ImageId, Body>> loaded;     // By image id.
  std::uint64_t budget_bytes = 0;
};

enum class VerdictKind : std::uint8_t { held, failed, skipped };
const char* verdict_kind_name(VerdictKind kind);

struct Verdict {
  std::string checker;
  VerdictKind kind = VerdictKind::held;
  std::string detail;  // Why it was skipped, or how many violations.
};

class Checker : public WorldObserver {
 public:
  explicit Checker(CheckContext& context) : context_(context) {}

  virtual const char* name() const = 0;

  // Called after an event that may have changed edge `edge`'s state (never for a down edge).
  virtual void after_edge_event(TimeUs /*now*/, NodeId /*edge*/, const EdgeObservable& /*view*/) {}
  // A client accepted a request that must be answered by `deadline_us` (global time).
  virtual void on_submit(TimeUs /*now*/, NodeId /*client*/, const ClientRequest& /*request*/, TimeUs /*deadline_us*/) {}
  // An edge with a simulated disk started and loaded its cache from the disk (cluster.disk).
  virtual void on_disk_load(TimeUs /*now*/, NodeId /*edge*/, const DiskLoad& /*load*/) {}
  // A client reported a request's outcome.
  virtual void on_result(TimeUs /*now*/, NodeId /*client*/, const ClientResult& /*result*/) {}
  // The run is over. `quiet_since_us` is when the last fault or workload arrival happened; checks that
  // need a quiet period use it.
  virtual void finish(TimeUs /*now*/, TimeUs /*quiet_since_us*/) {}

  Verdict verdict() const;

 protected:
  // `node` is a host name, or "" for the cluster as a whole.
  void violation(TimeUs now, std::string node, std::string detail);
  void skip(std::string reason) { skipped_reason_ = std::move(reason); }
  // For checks that need the cluster quiet: returns whether checks.quiet_period_ms passed between
  // `quiet_since_us` and `now`, and otherwise marks the check skipped, saying so.
  bool quiet_long_enough(TimeUs now, TimeUs quiet_since_us);
  std::string host(NodeId id) const { return context_.world.name(id); }
  // Groups of running edges that can all exchange messages both ways, each sorted, in ascending order of
  // their first member. Edges joined only through a one-way link are in different groups.
  std::vector<std::vector<NodeId>> connected_edge_groups() const;

  CheckContext& context_;

 private:
  std::uint64_t violations_ = 0;
  std::string skipped_reason_;
};

// Every checker, in the order they report.
std::vector<std::unique_ptr<Checker>> make_checkers(CheckContext& context);

}  // namespace edgecache::sim
