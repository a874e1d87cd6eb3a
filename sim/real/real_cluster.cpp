#include "sim/real/real_cluster.h"

#include <filesystem>
#include <thread>

#include "core/assert.h"
#include "core/edge_config_fields.h"
#include "net/client/edge_status.h"

namespace edgecache::sim::real {

namespace {

constexpr auto settle_poll_interval = std::chrono::milliseconds(100);

}  // namespace

RealCluster::RealCluster(RealClusterOptions options, const HostNetwork& network, HostRunner& runner)
    : options_(std::move(options)), network_(network), runner_(runner), ids_(daemon_ids(options_.edges)) {
  EC_ASSERT(options_.edges >= 1, "a real cluster needs an edge");
  for (std::uint32_t i = 1; i <= options_.edges; ++i) options_.edge.edges.push_back(i);
  options_.edge.canonical = ids_.at("canonical");
}

RealCluster::~RealCluster() {
  for (const auto& [name, id] : ids_) runner_.kill(name);
}

std::vector<std::string> RealCluster::arguments(const std::string& name, const std::string& trace_file) const {
  const EdgeConfig& edge = options_.edge;
  std::string peers;
  for (NodeId id : edge.edges) {
    if (!peers.empty()) peers += ",";
    peers += std::to_string(id) + "=" + network_.peer_address("edge-" + std::to_string(id)).to_string();
  }
  std::vector<std::string> args = {
      "--id", std::to_string(ids_.at(name)),
      "--listen", network_.listen_address(name).to_string(),
      "--peers", peers,
      "--trace", runner_.trace_path(trace_file),
      "--log-level", "warn",
      "--cluster-key-file", runner_.cluster_key_path(),
  };
  if (name == "canonical") {
    args.insert(args.end(), {"--role", "canonical", "--images-dir", runner_.images_dir()});
    return args;
  }
  args.insert(args.end(), {
      "--role", "edge",
      "--canonical", std::to_string(edge.canonical) + "=" + network_.peer_address("canonical").to_string(),
      "--http-listen", network_.http_listen_address(name).to_string(),
      "--cache-bytes", std::to_string(options_.cache_budget_bytes),
      "--protocol", protocol_name(edge.protocol),
  });
  for (const EdgeConfigField& field : edge_config_fields()) {
    args.insert(args.end(), {"--" + field.flag_name(), std::to_string(field.get(edge))});
  }
  if (options_.restart_keeps_cache) args.insert(args.end(), {"--data-dir", runner_.data_dir(name)});
  return args;
}

std::optional<std::string> RealCluster::start(const std::string& name) {
  const int incarnation = ++incarnations_[name];
  const std::string file = name + (incarnation == 1 ? "" : "." + std::to_string(incarnation)) + ".jsonl";
  if (auto error = runner_.start(name, arguments(name, file))) return error;
  // The runner's path is the daemon's view (a container's, say); on this machine the file is here.
  trace_files_.push_back((std::filesystem::path(options_.trace_directory) / file).string());
  return std::nullopt;
}

std::optional<std::string> RealCluster::start_all() {
  // The canonical first, so the edges' first origin fetches find it.
  if (auto error = start("canonical")) return error;
  for (const auto& [name, id] : ids_) {
    if (name == "canonical") continue;
    if (auto error = start(name)) return error;
  }
  return std::nullopt;
}

std::optional<std::string> RealCluster::crash(const std::string& name) { return runner_.kill(name); }

std::optional<std::string> RealCluster::restart(const std::string& name) {
  std::string done;
  if (auto killed = runner_.kill(name)) done = *killed + "; ";
  if (auto error = start(name)) return "could not restart: " + *error;
  return done + "started again";
}

std::optional<std::string> RealCluster::pause(const std::string& name) { return runner_.pause(name); }
std::optional<std::string> RealCluster::resume(const std::string& name) { return runner_.resume(name); }

std::optional<std::string> RealCluster::leader() const {
  std::map<NodeId, int> votes;
  for (const auto& [name, id] : ids_) {
    if (name == "canonical" || !runner_.running(name) || runner_.paused(name)) continue;
    const auto status = net::client::fetch_edge_status(network_.http_address(name));
    if (status && status->contains("leader") && (*status)["leader"].is_number_unsigned()) {
      ++votes[(*status)["leader"].get<NodeId>()];
    }
  }
  std::optional<NodeId> best;
  for (const auto& [id, count] : votes) {
    if (!best || count >= votes.at(*best)) best = id;
  }
  if (!best || *best < 1 || *best > options_.edges) return std::nullopt;
  return "edge-" + std::to_string(*best);
}

bool RealCluster::wait_until_settled(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<NodeId> agreed;
    bool settled = true;
    for (const auto& [name, id] : ids_) {
      if (name == "canonical") continue;
      const auto status = net::client::fetch_edge_status(network_.http_address(name));
      if (!status || !status->contains("leader") || !(*status)["leader"].is_number_unsigned()) {
        settled = false;
        break;
      }
      const NodeId leader = (*status)["leader"].get<NodeId>();
      if (agreed && *agreed != leader) settled = false;
      agreed = leader;
    }
    if (settled) return true;
    std::this_thread::sleep_for(settle_poll_interval);
  }
  return false;
}

void RealCluster::stop_all() {
  for (const auto& [name, id] : ids_) runner_.stop(name);
}

std::vector<net::Address> RealCluster::edge_http_addresses() const {
  std::vector<net::Address> addresses;
  for (NodeId id : options_.edge.edges) addresses.push_back(network_.http_address("edge-" + std::to_string(id)));
  return addresses;
}

}  // namespace edgecache::sim::real
