#pragma once
// A real cluster shaped like a scenario's: a canonical and N edges (edge-i has id i, the canonical N+1, as in
// the simulator), each writing its node trace, run by a HostRunner (local processes or Docker containers) on
// a HostNetwork (loopback, a network namespace each, or a Docker network). Hosts are named as in scenarios,
// and the verbs are the simulator's host fault verbs done for real: crash kills the daemon, restart starts a
// new one (a new trace file, "edge-2.2.jsonl" for the second incarnation), pause and resume freeze and thaw it.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/edge.h"
#include "net/config.h"
#include "sim/real/host_network.h"
#include "sim/real/host_runner.h"

namespace edgecache::sim::real {

struct RealClusterOptions {
  std::string trace_directory;  // Where the daemons' trace files land on this machine.
  std::uint32_t edges = 3;
  std::uint64_t cache_budget_bytes = 0;
  bool restart_keeps_cache = false;
  EdgeConfig edge;  // Timings, limits and protocol; canonical and edges are filled in here.
};

class RealCluster {
 public:
  // `network` and `runner` must outlive the cluster.
  RealCluster(RealClusterOptions options, const HostNetwork& network, HostRunner& runner);
  ~RealCluster();  // Kills whatever still runs.
  RealCluster(const RealCluster&) = delete;
  RealCluster& operator=(const RealCluster&) = delete;

  // Starts every host. Returns why one could not be started, or nothing.
  std::optional<std::string> start_all();

  // The fault verbs. Each returns what it did, in words for the controller trace ("kill -9 4242"), or
  // nothing if it does not apply (crash of a host that is down, resume of one that runs).
  std::optional<std::string> crash(const std::string& host);
  std::optional<std::string> restart(const std::string& host);
  std::optional<std::string> pause(const std::string& host);
  std::optional<std::string> resume(const std::string& host);

  // The edge that the running edges name as leader in GET /status (most votes, ties to the highest id), or
  // nothing if none answers with a leader.
  std::optional<std::string> leader() const;
  // Waits until every edge answers /status and all name the same leader; returns whether that happened
  // before `timeout`.
  bool wait_until_settled(std::chrono::milliseconds timeout) const;

  // Stops every daemon cleanly (resuming paused ones first), so each closes its trace with a summary line.
  void stop_all();

  // Every trace file written so far, every incarnation's, in start order, as paths on this machine.
  const std::vector<std::string>& trace_files() const { return trace_files_; }
  // The edges' HTTP addresses, in id order (what the load client's --edges takes).
  std::vector<net::Address> edge_http_addresses() const;

 private:
  std::optional<std::string> start(const std::string& host);
  std::vector<std::string> arguments(const std::string& host, const std::string& trace_file) const;

  RealClusterOptions options_;
  const HostNetwork& network_;
  HostRunner& runner_;
  std::map<std::string, NodeId> ids_;          // Host name to node id.
  std::map<std::string, int> incarnations_;    // Host name to processes started so far.
  std::vector<std::string> trace_files_;
};

}  // namespace edgecache::sim::real
