// Daemons as Docker containers of the edgecache image on a Docker network of their own, as a user deploys
// them (docs/docker.md): crash is `docker kill`, restart a new container, pause `docker pause` (the cgroup
// freezer), and partitions move containers between Docker networks.
//
//   network ecrTAG              every host, by its scenario name as the network alias, peers on port 9000
//   127.0.0.1:BASE+100+i        edge-i's HTTP port 8000, published for the load client and status polls
//   WORK/traces -> /traces      node traces; WORK/images -> /images (read only); WORK/data/HOST -> /data
//
// A partition leaves the group holding the load client (client-1) on ecrTAG and moves every other group to a
// network of its own (ecrTAG-g1, ...), members keeping their aliases; heal moves everyone back. A one-way cut
// has no Docker equivalent and is reported as not done.

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sim/real/child_process.h"
#include "sim/real/docker_platform.h"

namespace edgecache::sim::real {

namespace {

namespace fs = std::filesystem;

constexpr std::uint16_t container_peer_port = 9000;
constexpr std::uint16_t container_http_port = 8000;
constexpr std::uint16_t http_port_offset = 100;
constexpr auto docker_timeout = std::chrono::seconds(60);
constexpr const char* stop_grace_seconds = "5";

class DockerPlatform final : public HostNetwork, public HostRunner {
 public:
  DockerPlatform(std::uint32_t edges, std::string image, std::string work_dir, std::uint16_t base_port)
      : edges_(edges), image_(std::move(image)), work_(std::move(work_dir)), base_port_(base_port),
        tag_("ecr" + std::to_string(::getpid() % 100000)), log_path_((work_ / "logs" / "docker.log").string()) {
    for (const auto& [name, id] : daemon_ids(edges_)) hosts_[name] = Host{id, tag_, false, false};
  }

  ~DockerPlatform() override {
    for (const auto& [name, host] : hosts_) docker({"rm", "-f", container(name)});
    for (const std::string& network : networks_) docker({"network", "rm", network});
  }

  std::optional<std::string> create() {
    // The containers run as the image's unprivileged user; the directories they write must let it.
    for (const char* folder : {"traces", "data"}) {
      fs::create_directories(work_ / folder);
      ::chmod((work_ / folder).c_str(), 0777);
    }
    // The containers' user must read the key too; it is this run's own key, made for it and thrown away.
    ::chmod((work_ / "secrets" / "cluster.key").c_str(), 0644);
    if (!docker({"image", "inspect", image_})) {
      return "no Docker image " + image_ + "; build it with tests/docker/build_images.sh (or set EDGECACHE_IMAGE)";
    }
    if (!docker({"network", "create", tag_})) return "cannot create Docker network " + tag_ + "; see " + log_path_;
    networks_.insert(tag_);
    return std::nullopt;
  }

  // HostNetwork.
  std::string kind() const override { return "Docker containers"; }
  net::Address peer_address(const std::string& host) const override { return {host, container_peer_port}; }
  net::Address http_address(const std::string& host) const override {
    return {"127.0.0.1", static_cast<std::uint16_t>(base_port_ + http_port_offset + hosts_.at(host).id)};
  }
  net::Address listen_address(const std::string&) const override { return {"0.0.0.0", container_peer_port}; }
  net::Address http_listen_address(const std::string&) const override { return {"0.0.0.0", container_http_port}; }
  std::vector<std::string> command_prefix(const std::string&) const override { return {}; }

  LinkFaultResult partition(const std::vector<std::vector<std::string>>& groups) override {
    // Hosts in no group form one more group; the group holding the load client stays where it is.
    std::map<std::string, std::size_t> group_of;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      for (const std::string& host : groups[g]) group_of[host] = g + 1;
    }
    const std::size_t staying = group_of.count("client-1") ? group_of["client-1"] : 0;
    std::string text;
    for (auto& [name, host] : hosts_) {
      const std::size_t group = group_of.count(name) ? group_of[name] : 0;
      const std::string target = group == staying ? tag_ : tag_ + "-g" + std::to_string(group);
      if (!move(name, target)) return {false, "docker network connect/disconnect failed; see " + log_path_};
      if (target != tag_) text += (text.empty() ? "" : ", ") + name + " to " + target;
    }
    return {true, "docker network: " + (text.empty() ? std::string("nobody moved (one group)") : text)};
  }

  LinkFaultResult isolate(const std::string& host) override {
    if (host == "client-1") return {false, "the load client runs on this machine, outside Docker's networks"};
    if (!move(host, tag_ + "-" + host)) return {false, "docker network connect/disconnect failed; see " + log_path_};
    return {true, "docker network: " + host + " alone on " + tag_ + "-" + host};
  }

  LinkFaultResult cut(const std::string&, const std::string&) override {
    return {false, "a one-way cut has no Docker network equivalent; use --network netns"};
  }

  LinkFaultResult heal() override {
    for (auto& [name, host] : hosts_) {
      if (!move(name, tag_)) return {false, "docker network connect/disconnect failed; see " + log_path_};
    }
    return {true, "docker network: every container back on " + tag_};
  }

  // HostRunner.
  std::string trace_path(const std::string& file_name) const override { return "/traces/" + file_name; }
  std::string images_dir() const override { return "/images"; }
  std::string data_dir(const std::string&) const override { return "/data"; }
  std::string cluster_key_path() const override { return "/run/edgecache/cluster.key"; }

  std::optional<std::string> start(const std::string& name, const std::vector<std::string>& args) override {
    Host& host = hosts_.at(name);
    docker({"rm", "-f", container(name)});
    std::vector<std::string> argv = {"run", "-d", "--name", container(name), "--network", host.network,
                                     "--network-alias", name, "--hostname", name,
                                     "-v", (work_ / "traces").string() + ":/traces",
                                     "-v", (work_ / "images").string() + ":/images:ro",
                                     "-v", (work_ / "secrets").string() + ":/run/edgecache:ro"};
    if (name != "canonical") {
      fs::create_directories(work_ / "data" / name);
      ::chmod((work_ / "data" / name).c_str(), 0777);
      argv.insert(argv.end(), {"-v", (work_ / "data" / name).string() + ":/data", "-p",
                               http_address(name).to_string() + ":" + std::to_string(container_http_port)});
    }
    argv.insert(argv.end(), {"--entrypoint", "edgecache-server", image_});
    argv.insert(argv.end(), args.begin(), args.end());
    if (!docker(argv)) return "docker run of " + name + " failed; see " + log_path_;
    host.running = true;
    host.paused = false;
    return std::nullopt;
  }

  std::optional<std::string> kill(const std::string& name) override {
    Host& host = hosts_.at(name);
    if (!host.running) return std::nullopt;
    if (host.paused) docker({"unpause", container(name)});
    docker({"kill", container(name)});
    docker({"rm", "-f", container(name)});
    host.running = false;
    host.paused = false;
    return "docker kill " + container(name);
  }

  std::optional<std::string> pause(const std::string& name) override {
    Host& host = hosts_.at(name);
    if (!host.running || host.paused) return std::nullopt;
    if (!docker({"pause", container(name)})) return "docker pause failed; see " + log_path_;
    host.paused = true;
    return "docker pause " + container(name);
  }

  std::optional<std::string> resume(const std::string& name) override {
    Host& host = hosts_.at(name);
    if (!host.running || !host.paused) return std::nullopt;
    if (!docker({"unpause", container(name)})) return "docker unpause failed; see " + log_path_;
    host.paused = false;
    return "docker unpause " + container(name);
  }

  void stop(const std::string& name) override {
    Host& host = hosts_.at(name);
    if (!host.running) return;
    if (host.paused) docker({"unpause", container(name)});
    docker({"stop", "-t", stop_grace_seconds, container(name)});
    // Keep the daemon's output beside the others' before the container goes.
    docker({"logs", container(name)}, (work_ / "logs" / (name + ".log")).string());
    docker({"rm", "-f", container(name)});
    host.running = false;
    host.paused = false;
  }

  bool running(const std::string& name) const override { return hosts_.at(name).running; }
  bool paused(const std::string& name) const override { return hosts_.at(name).paused; }

 private:
  struct Host {
    NodeId id = 0;
    std::string network;  // The Docker network it is (or, when down, will be) attached to.
    bool running = false;
    bool paused = false;
  };

  std::string container(const std::string& name) const { return tag_ + "-" + name; }

  // Moves a host to `network` (created on first use), keeping its alias; a host that is down joins it when
  // it starts again.
  bool move(const std::string& name, const std::string& network) {
    Host& host = hosts_.at(name);
    if (host.network == network) return true;
    if (networks_.count(network) == 0) {
      if (!docker({"network", "create", network})) return false;
      networks_.insert(network);
    }
    if (host.running) {
      if (!docker({"network", "disconnect", "-f", host.network, container(name)}) ||
          !docker({"network", "connect", "--alias", name, network, container(name)})) {
        return false;
      }
    }
    host.network = network;
    return true;
  }

  // Runs `docker ARGS` to completion; output to `output` or the Docker log. Returns whether it succeeded.
  bool docker(const std::vector<std::string>& args, const std::string& output = "") {
    std::vector<std::string> argv = {"/usr/bin/docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    {
      std::ofstream log(log_path_, std::ios::app);
      for (const std::string& word : argv) log << word << ' ';
      log << '\n';
    }
    ChildProcess process;
    if (process.start(argv, output.empty() ? log_path_ : output, output.empty() ? "" : log_path_)) return false;
    const std::optional<int> status = process.wait(docker_timeout);
    return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
  }

  std::uint32_t edges_;
  std::string image_;
  fs::path work_;
  std::uint16_t base_port_;
  std::string tag_;
  std::string log_path_;
  std::map<std::string, Host> hosts_;
  std::set<std::string> networks_;  // Every network this run created, removed at the end.
};

}  // namespace

DockerCluster make_docker_platform(std::uint32_t edges, std::string image, std::string work_dir, std::uint16_t base_port,
                                   std::string& error) {
  auto platform = std::make_shared<DockerPlatform>(edges, std::move(image), std::move(work_dir), base_port);
  if (auto failed = platform->create()) {
    error = *failed;
    return {};
  }
  return {platform, platform};
}

}  // namespace edgecache::sim::real
