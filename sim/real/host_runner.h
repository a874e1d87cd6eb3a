#pragma once
// How a real cluster's daemons are started, crashed, paused and stopped: as local processes (signals), or
// as Docker containers (docker kill, pause, stop). RealCluster decides what runs and when; a runner only
// knows how.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/real/host_network.h"

namespace edgecache::sim::real {

class HostRunner {
 public:
  virtual ~HostRunner() = default;

  // Where the daemon finds things, as paths in its own file system: the trace file `file_name` (written
  // into WORK/traces/ on the machine), the images directory, an edge's data directory, and the cluster key
  // (WORK/secrets/cluster.key on the machine).
  virtual std::string trace_path(const std::string& file_name) const = 0;
  virtual std::string images_dir() const = 0;
  virtual std::string data_dir(const std::string& host) const = 0;
  virtual std::string cluster_key_path() const = 0;

  // Starts `host`'s daemon with edgecache-server's arguments `args`. Returns why it could not, or nothing.
  // REQUIRES: the host is not running.
  virtual std::optional<std::string> start(const std::string& host, const std::vector<std::string>& args) = 0;
  // Each returns what it did, in words ("kill -9 4242"), or nothing if it does not apply now.
  virtual std::optional<std::string> kill(const std::string& host) = 0;
  virtual std::optional<std::string> pause(const std::string& host) = 0;
  virtual std::optional<std::string> resume(const std::string& host) = 0;
  // Asks the daemon to shut down cleanly (SIGTERM, resuming it first if paused), waits a grace period and
  // then kills it. Does nothing if it is not running.
  virtual void stop(const std::string& host) = 0;
  virtual bool running(const std::string& host) const = 0;
  virtual bool paused(const std::string& host) const = 0;
};

// Daemons as child processes: `bin_dir` holds edgecache-server; each host's command line starts with the
// network's command prefix (ip netns exec NS). Output goes to WORK/logs/HOST.log.
std::unique_ptr<HostRunner> make_process_runner(std::string bin_dir, std::string work_dir, const HostNetwork& network);

}  // namespace edgecache::sim::real
