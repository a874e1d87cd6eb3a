// Daemons as local child processes, controlled with signals.

#include <csignal>
#include <filesystem>
#include <map>

#include "sim/real/child_process.h"
#include "sim/real/host_runner.h"

namespace edgecache::sim::real {

namespace {

namespace fs = std::filesystem;

constexpr std::chrono::milliseconds stop_grace{5000};

class ProcessRunner final : public HostRunner {
 public:
  ProcessRunner(std::string bin_dir, std::string work_dir, const HostNetwork& network)
      : bin_dir_(std::move(bin_dir)), work_(std::move(work_dir)), network_(network) {}

  std::string trace_path(const std::string& file_name) const override { return (work_ / "traces" / file_name).string(); }
  std::string images_dir() const override { return (work_ / "images").string(); }
  std::string data_dir(const std::string& host) const override { return (work_ / "data" / host).string(); }
  std::string cluster_key_path() const override { return (work_ / "secrets" / "cluster.key").string(); }

  std::optional<std::string> start(const std::string& host, const std::vector<std::string>& args) override {
    std::vector<std::string> argv = network_.command_prefix(host);
    argv.push_back((fs::path(bin_dir_) / "edgecache-server").string());
    argv.insert(argv.end(), args.begin(), args.end());
    Host& state = hosts_[host];
    state.paused = false;
    return state.process.start(argv, (work_ / "logs" / (host + ".log")).string());
  }

  std::optional<std::string> kill(const std::string& host) override {
    Host& state = hosts_[host];
    if (!state.process.running()) return std::nullopt;
    const pid_t pid = state.process.pid();
    state.process.signal(SIGKILL);
    state.process.wait(stop_grace);
    state.paused = false;
    return "kill -9 " + std::to_string(pid);
  }

  std::optional<std::string> pause(const std::string& host) override {
    Host& state = hosts_[host];
    if (!state.process.running() || state.paused) return std::nullopt;
    state.process.signal(SIGSTOP);
    state.paused = true;
    return "kill -STOP " + std::to_string(state.process.pid());
  }

  std::optional<std::string> resume(const std::string& host) override {
    Host& state = hosts_[host];
    if (!state.process.running() || !state.paused) return std::nullopt;
    state.process.signal(SIGCONT);
    state.paused = false;
    return "kill -CONT " + std::to_string(state.process.pid());
  }

  void stop(const std::string& host) override {
    Host& state = hosts_[host];
    if (!state.process.running()) return;
    if (state.paused) state.process.signal(SIGCONT);
    state.paused = false;
    state.process.signal(SIGTERM);
    if (!state.process.wait(stop_grace)) {
      state.process.signal(SIGKILL);
      state.process.wait(stop_grace);
    }
  }

  bool running(const std::string& host) const override {
    auto found = hosts_.find(host);
    return found != hosts_.end() && found->second.process.running();
  }
  bool paused(const std::string& host) const override {
    auto found = hosts_.find(host);
    return found != hosts_.end() && found->second.paused;
  }

 private:
  struct Host {
    ChildProcess process;
    bool paused = false;
  };
  std::string bin_dir_;
  fs::path work_;
  const HostNetwork& network_;
  std::map<std::string, Host> hosts_;
};

}  // namespace

std::unique_ptr<HostRunner> make_process_runner(std::string bin_dir, std::string work_dir, const HostNetwork& network) {
  return std::make_unique<ProcessRunner>(std::move(bin_dir), std::move(work_dir), network);
}

}  // namespace edgecache::sim::real
