// `sim real SCENARIO` (also `sim SCENARIO --real`): runs a scenario against a real cluster of local processes
// on loopback, then judges the real run from its node traces with `sim check` and prints that verdict beside
// the simulator's verdict for the same scenario and seed.
//
// The real run follows the scenario's clock, with t=0 when the cluster has elected its first leader (the
// simulator's election at t=0 takes no time; a real one takes a few hundred milliseconds): the load client
// starts at workload.start_ms and runs until workload.stop_ms, each fault fires at its at_ms, and the run
// ends at max(duration_ms, last fault + checks.quiet_period_ms), as in the simulator. Every fault is written
// to a controller trace beside the daemons' traces, with what was done for real, or why it could not be.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "net/node_trace.h"
#include "net/peer_auth.h"
#include "sim/cli/commands.h"
#include "sim/cluster.h"
#include "sim/real/child_process.h"
#include "sim/real/docker_platform.h"
#include "sim/real/host_network.h"
#include "sim/real/host_runner.h"
#include "sim/real/real_cluster.h"
#include "sim/report.h"

namespace edgecache::sim {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int exit_real_cluster_failed = 4;  // The real cluster could not be started or never settled.
constexpr std::chrono::milliseconds settle_timeout{15000};
constexpr std::chrono::milliseconds client_exit_grace{30000};
constexpr std::chrono::milliseconds check_timeout{600000};
constexpr std::uint64_t default_max_image_bytes = 64 * 1024;
// The load client is closed-loop (each worker waits for its reply), while the simulator's arrivals are
// open-loop. Enough workers to carry two seconds of arrivals keep the real arrivals on schedule even while
// requests wait out an origin timeout, as they do when the canonical is down.
constexpr double load_backlog_seconds = 2.0;
constexpr std::size_t min_load_concurrency = 32;
constexpr std::size_t max_load_concurrency = 2048;
// Real time is not exact: the run goes on this long past the simulator's end, so the checks that need
// checks.quiet_period_ms of quiet get all of it.
constexpr std::int64_t real_end_margin_ms = 1500;

// Where the daemons run: each in a network namespace of its own (link faults possible), or all on loopback.
enum class NetworkChoice { automatic, loopback, namespaces, docker };

struct RealRunOptions {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;
  std::string work_dir;
  std::string bin_dir;
  std::uint16_t base_port = 0;
  std::uint64_t max_image_bytes = default_max_image_bytes;
  NetworkChoice network = NetworkChoice::automatic;
  bool json = false;
};

// Why a fault kind can never be done for real here, or nothing if the cluster or its network can do it.
std::optional<std::string> unsupported_reason(FaultKind kind) {
  switch (kind) {
    case FaultKind::degrade:
    case FaultKind::restore:
      return "changing a link's latency and loss is not implemented for real runs (it needs tc netem per link)";
    case FaultKind::clock: return "a process's monotonic clock cannot be moved from outside";
    case FaultKind::forge: return "forging a peer's messages needs a peer-protocol client, which real runs do not have";
    case FaultKind::slow:
    case FaultKind::recover:
      return "slowing a daemon down (a CPU quota or a SIGSTOP/SIGCONT duty cycle) is not implemented for real runs";
    case FaultKind::hold:
    case FaultKind::release:
      return "holding messages needs a queueing rule per link (iptables NFQUEUE), which real runs do not have";
    default: break;
  }
  if (is_disk_fault(kind)) {
    return "disk faults in real runs are not implemented (tests/net shows a full and a slow data directory "
           "for real: a small tmpfs and a loop device behind a blkio write throttle)";
  }
  return std::nullopt;
}

// Whether a TCP port on 127.0.0.1 can be bound now.
bool port_free(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

// A block of ports the cluster can use: peer ports base+1..base+N+1 and HTTP ports base+101..base+100+N.
// Tries pid-derived bases, so concurrent runs (tests in parallel) pick different blocks.
std::optional<std::uint16_t> find_base_port(std::uint32_t edges) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto base = static_cast<std::uint16_t>(20000 + ((::getpid() * 7 + attempt * 211) % 400) * 100);
    bool free = true;
    for (std::uint32_t id = 1; id <= edges + 1 && free; ++id) {
      free = port_free(static_cast<std::uint16_t>(base + id)) && (id > edges || port_free(static_cast<std::uint16_t>(base + 100 + id)));
    }
    if (free) return base;
  }
  return std::nullopt;
}


// One step of the real timeline: the client's start, a fault, or the end of the run.
struct Step {
  std::int64_t at_ms = 0;
  enum class Kind { client, fault, end } kind = Kind::fault;
  Fault fault;
};

class RealRun {
 public:
  RealRun(const RealRunOptions& options, Scenario scenario) : options_(options), scenario_(std::move(scenario)) {}

  int execute();

 private:
  bool generate_images();
  // Where and how the daemons run: network and runner, or null pointers (said why) if that cannot be set up.
  std::pair<std::shared_ptr<real::HostNetwork>, std::shared_ptr<real::HostRunner>> make_platform();
  std::shared_ptr<real::HostNetwork> make_local_network();
  void run_timeline(real::RealCluster& cluster, real::HostNetwork& network);
  void do_fault(real::RealCluster& cluster, real::HostNetwork& network, Fault fault);
  std::optional<std::string> start_client(const std::vector<net::Address>& edges);
  sim::TraceStamp stamp();
  int judge(const std::vector<std::string>& traces);

  const RealRunOptions& options_;
  Scenario scenario_;
  fs::path work_;
  std::string images_dir_;
  Clock::time_point t0_;
  std::int64_t wall_t0_us_ = 0;
  std::uint64_t lamport_ = 0;
  std::unique_ptr<sim::NodeTraceWriter> controller_;
  real::ChildProcess client_;
  std::vector<std::string> fault_notes_;  // One line per fault, for the summary.
  std::string network_kind_;
  std::size_t unsupported_ = 0;
};

sim::TraceStamp RealRun::stamp() {
  const auto since = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0_).count();
  return {since, net::wall_clock_us(), ++lamport_};
}

bool RealRun::generate_images() {
  images_dir_ = (work_ / "images").string();
  const CatalogOptions& catalog = scenario_.catalog;
  const std::uint64_t max_bytes = std::min(catalog.max_size_bytes, options_.max_image_bytes);
  const std::uint64_t min_bytes = std::min(catalog.min_size_bytes, max_bytes);
  real::ChildProcess generator;
  const std::vector<std::string> argv = {(fs::path(options_.bin_dir) / "edgecache-gen-images").string(), "--out", images_dir_,
                                         "--count", std::to_string(catalog.images), "--min-bytes", std::to_string(min_bytes),
                                         "--max-bytes", std::to_string(max_bytes)};
  if (auto error = generator.start(argv, (work_ / "logs" / "gen-images.log").string())) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return false;
  }
  const std::optional<int> status = generator.wait(std::chrono::minutes(10));
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    std::fprintf(stderr, "edgecache-gen-images failed; see %s\n", (work_ / "logs" / "gen-images.log").c_str());
    return false;
  }
  return true;
}

std::optional<std::string> RealRun::start_client(const std::vector<net::Address>& edges) {
  const WorkloadOptions& workload = scenario_.workload;
  std::string edge_list;
  for (const net::Address& edge : edges) edge_list += (edge_list.empty() ? "" : ",") + edge.to_string();
  const double duration_s = static_cast<double>(workload.stop_ms - workload.start_ms) / 1000.0;
  std::vector<std::string> argv = {(fs::path(options_.bin_dir) / "edgecache-client").string(),
                                   "--edges", edge_list,
                                   "--routing", scenario_.cluster.client.routing == RoutingMode::rendezvous ? "rendezvous" : "modulo",
                                   "load",
                                   "--concurrency", std::to_string(std::clamp<std::size_t>(
                                       static_cast<std::size_t>(workload.rate_per_s * load_backlog_seconds),
                                       min_load_concurrency, max_load_concurrency)),
                                   "--rate", std::to_string(workload.rate_per_s),
                                   "--duration-s", std::to_string(duration_s),
                                   "--images", std::to_string(scenario_.catalog.images),
                                   "--size-fraction", std::to_string(workload.get_size_fraction),
                                   "--seed", std::to_string(options_.seed.value_or(scenario_.seed)),
                                   "--trace", (work_ / "traces" / "client-1.jsonl").string()};
  if (workload.popularity == Popularity::zipf) {
    argv.insert(argv.end(), {"--ids", "zipf", "--zipf-exponent", std::to_string(workload.zipf_s)});
  }
  if (workload.max_requests != 0) argv.insert(argv.end(), {"--requests", std::to_string(workload.max_requests)});
  return client_.start(argv, (work_ / "logs" / "client-1.log").string());
}

void RealRun::do_fault(real::RealCluster& cluster, real::HostNetwork& network, Fault fault) {
  const sim::TraceStamp when = stamp();
  char at_text[32];
  std::snprintf(at_text, sizeof at_text, "%.3f", static_cast<double>(when.t_us) / 1e6);
  const std::string at = at_text;
  if (fault.node == "leader") {
    std::optional<std::string> leader = cluster.leader();
    if (!leader) {
      sim::NodeTraceWriter::Line(*controller_, when, "fault_skipped").field("fault", fault_kind_name(fault.kind)).field("reason", "no edge leads");
      fault_notes_.push_back("t=" + at + " s " + fault_kind_name(fault.kind) + " leader: skipped, no edge leads");
      return;
    }
    fault.node = *leader;
  }
  std::optional<std::string> action;
  std::optional<std::string> unsupported = unsupported_reason(fault.kind);
  auto link_fault = [&](const real::LinkFaultResult& result) {
    if (result.done) {
      action = result.text;
    } else {
      unsupported = result.text;
    }
  };
  if (!unsupported) {
    switch (fault.kind) {
      case FaultKind::crash: action = cluster.crash(fault.node); break;
      case FaultKind::restart: action = cluster.restart(fault.node); break;
      case FaultKind::pause: action = cluster.pause(fault.node); break;
      case FaultKind::resume: action = cluster.resume(fault.node); break;
      case FaultKind::partition: link_fault(network.partition(fault.groups)); break;
      case FaultKind::isolate: link_fault(network.isolate(fault.node)); break;
      case FaultKind::cut: link_fault(network.cut(fault.from, fault.to)); break;
      case FaultKind::heal: link_fault(network.heal()); break;
      default: break;
    }
  }
  sim::NodeTraceWriter::Line line(*controller_, when, "fault");
  line.field("node", fault.node).field("fault", fault_kind_name(fault.kind));
  if (!fault.from.empty()) line.field("from", fault.from).field("to", fault.to);
  if (!fault.groups.empty()) line.json_field("groups", nlohmann::ordered_json(fault.groups));
  std::string note = "t=" + at + " s " + fault_kind_name(fault.kind) + (fault.node.empty() ? "" : " " + fault.node) + ": ";
  if (unsupported) {
    ++unsupported_;
    line.field("unsupported", *unsupported);
    note += "NOT DONE (" + *unsupported + ")";
  } else if (action) {
    line.field("real_action", *action);
    note += *action;
  } else {
    line.field("real_action", "nothing: it does not apply now");
    note += "nothing to do (does not apply now)";
  }
  fault_notes_.push_back(note);
}

void RealRun::run_timeline(real::RealCluster& cluster, real::HostNetwork& network) {
  std::vector<Step> steps;
  steps.push_back(Step{scenario_.workload.start_ms, Step::Kind::client, {}});
  std::int64_t end_ms = scenario_.duration_ms;
  for (const Fault& fault : scenario_.faults) {
    steps.push_back(Step{fault.at_ms, Step::Kind::fault, fault});
    end_ms = std::max(end_ms, fault.at_ms + scenario_.checks.quiet_period_ms);
  }
  end_ms = std::max(end_ms, scenario_.workload.stop_ms + scenario_.checks.quiet_period_ms) + real_end_margin_ms;
  steps.push_back(Step{end_ms, Step::Kind::end, {}});
  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.at_ms < b.at_ms; });
  for (const Step& step : steps) {
    std::this_thread::sleep_until(t0_ + std::chrono::milliseconds(step.at_ms));
    switch (step.kind) {
      case Step::Kind::client:
        if (auto error = start_client(cluster.edge_http_addresses())) {
          fault_notes_.push_back("the load client did not start: " + *error);
        }
        break;
      case Step::Kind::fault: do_fault(cluster, network, step.fault); break;
      case Step::Kind::end: break;
    }
  }
}

int RealRun::judge(const std::vector<std::string>& traces) {
  // The real verdict: `sim check` over every trace, run as a child so its output is exactly what a user
  // running it by hand would see.
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> argv = {self, "check", "--json", "--scenario", options_.scenario_path};
  argv.insert(argv.end(), traces.begin(), traces.end());
  real::ChildProcess checker;
  const std::string check_json = (work_ / "check.json").string();
  const std::string check_errors = (work_ / "logs" / "check.log").string();
  fs::remove(check_json);
  if (auto error = checker.start(argv, check_json, check_errors)) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return exit_real_cluster_failed;
  }
  const std::optional<int> status = checker.wait(check_timeout);
  const nlohmann::json real = nlohmann::json::parse(read_text_file(check_json).value_or(""), nullptr, false);
  if (!status || !real.is_object()) {
    std::fprintf(stderr, "sim check did not judge the traces; see %s\n%s", check_errors.c_str(), read_text_file(check_errors).value_or("").c_str());
    return exit_real_cluster_failed;
  }

  // The simulator's verdict for the same scenario and seed.
  RunOptions sim_options;
  sim_options.seed = options_.seed;
  const RunReport simulated = run_scenario(scenario_, sim_options);
  const nlohmann::json sim = report_to_json(simulated, options_.scenario_path);

  const bool real_passed = real.value("passed", false);
  const bool agree = unsupported_ == 0 && real_passed == simulated.passed();
  if (options_.json) {
    nlohmann::json out = {{"scenario", options_.scenario_path}, {"network", network_kind_},
                          {"work_dir", work_.string()}, {"traces", traces},
                          {"faults", fault_notes_},          {"unsupported_faults", unsupported_},
                          {"real", real},                    {"sim", sim},
                          {"agree", agree}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "real run of " << options_.scenario_path << ": " << scenario_.cluster.edges
              << " edges as " << network_kind_ << "\n";
    std::cout << "  traces in " << (work_ / "traces").string() << "\n";
    for (const std::string& note : fault_notes_) std::cout << "  fault " << note << "\n";
    std::cout << "\n  " << std::left;
    std::printf("%-24s %-10s %-10s\n", "checker", "real", "sim");
    std::fflush(stdout);
    std::map<std::string, std::string> sim_verdicts;
    for (const auto& check : sim["checks"]) sim_verdicts[check["checker"].get<std::string>()] = check["verdict"].get<std::string>();
    if (real.contains("checks")) {
      for (const auto& check : real["checks"]) {
        const std::string name = check.value("checker", "?");
        std::printf("  %-24s %-10s %-10s\n", name.c_str(), check.value("verdict", "?").c_str(),
                    sim_verdicts.count(name) != 0 ? sim_verdicts[name].c_str() : "-");
      }
    }
    std::printf("  %-24s %-10s %-10s\n", "verdict", real_passed ? "passed" : "FAILED", simulated.passed() ? "passed" : "FAILED");
    if (real.contains("violations")) {
      for (const auto& violation : real["violations"]) {
        std::printf("  real violation [%s] %s: %s\n", violation.value("checker", "?").c_str(),
                    violation.value("node", "").c_str(), violation.value("detail", "").c_str());
      }
    }
    if (unsupported_ != 0) {
      std::printf("  %zu fault(s) could not be done for real, so the verdicts are not comparable\n", unsupported_);
    } else {
      std::printf("  the real and simulated verdicts %s\n", agree ? "agree" : "DISAGREE");
    }
    std::fflush(stdout);
  }
  return real_passed ? exit_passed : exit_check_failed;
}

std::pair<std::shared_ptr<real::HostNetwork>, std::shared_ptr<real::HostRunner>> RealRun::make_platform() {
  if (options_.network == NetworkChoice::docker) {
    const std::optional<std::uint16_t> base_port = options_.base_port != 0 ? options_.base_port : find_base_port(scenario_.cluster.edges);
    if (!base_port) {
      std::fprintf(stderr, "no free block of loopback ports found for the published HTTP ports; pass --base-port\n");
      return {};
    }
    const char* image = std::getenv("EDGECACHE_IMAGE");
    std::string error;
    real::DockerCluster docker = real::make_docker_platform(scenario_.cluster.edges, image != nullptr ? image : "edgecache:local",
                                                            work_.string(), *base_port, error);
    if (!docker.network) std::fprintf(stderr, "--network docker: %s\n", error.c_str());
    return {docker.network, docker.runner};
  }
  std::shared_ptr<real::HostNetwork> network = make_local_network();
  if (!network) return {};
  return {network, real::make_process_runner(options_.bin_dir, work_.string(), *network)};
}

std::shared_ptr<real::HostNetwork> RealRun::make_local_network() {
  if (options_.network != NetworkChoice::loopback) {
    const bool able = ::geteuid() == 0 && fs::exists("/usr/sbin/ip") && fs::exists("/usr/sbin/iptables");
    std::string error = able ? "" : "network namespaces need root, /usr/sbin/ip and /usr/sbin/iptables";
    std::unique_ptr<real::HostNetwork> network;
    if (able) network = real::make_namespace_network(scenario_.cluster.edges, (work_ / "logs" / "network.log").string(), error);
    if (network) return network;
    if (options_.network == NetworkChoice::namespaces) {
      std::fprintf(stderr, "--network netns: %s\n", error.c_str());
      return nullptr;
    }
    if (!options_.json) std::printf("no network namespaces (%s); using loopback, where links cannot be cut\n", error.c_str());
  }
  std::uint16_t base_port = options_.base_port;
  if (base_port == 0) {
    const std::optional<std::uint16_t> found = find_base_port(scenario_.cluster.edges);
    if (!found) {
      std::fprintf(stderr, "no free block of loopback ports found; pass --base-port\n");
      return nullptr;
    }
    base_port = *found;
  }
  return real::make_loopback_network(scenario_.cluster.edges, base_port);
}

int RealRun::execute() {
  work_ = options_.work_dir;
  fs::create_directories(work_ / "traces");
  fs::create_directories(work_ / "logs");
  if (scenario_.nemesis.enabled) {
    // The nemesis draws its faults during a simulated run; the real run executes the same faults, made
    // explicit by running the simulator first ("leader" already resolved to the edge that led there).
    RunOptions sim_options;
    sim_options.seed = options_.seed;
    scenario_.faults = run_scenario(scenario_, sim_options).faults;
    scenario_.nemesis.enabled = false;
  }
  if (!generate_images()) return exit_real_cluster_failed;
  // Every daemon of this run shares one fresh key, as a deployment's secret would give them.
  fs::create_directories(work_ / "secrets");
  if (auto error = net::write_new_cluster_key_file((work_ / "secrets" / "cluster.key").string())) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return exit_real_cluster_failed;
  }

  const auto [network, runner] = make_platform();
  if (!network) return exit_real_cluster_failed;
  network_kind_ = network->kind();
  real::RealClusterOptions cluster_options;
  cluster_options.trace_directory = (work_ / "traces").string();
  cluster_options.edges = scenario_.cluster.edges;
  cluster_options.cache_budget_bytes = scenario_.cluster.cache_budget_bytes;
  // A real edge keeps its cache across a restart through --data-dir: the real form of both.
  cluster_options.restart_keeps_cache = scenario_.cluster.restart_keeps_cache || scenario_.cluster.disk;
  cluster_options.edge = scenario_.cluster.edge;
  cluster_options.edge.protocol = scenario_.protocol;
  real::RealCluster cluster(cluster_options, *network, *runner);
  if (auto error = cluster.start_all()) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return exit_real_cluster_failed;
  }
  if (!cluster.wait_until_settled(settle_timeout)) {
    std::fprintf(stderr, "the real cluster did not elect a leader within %lld ms; logs in %s\n",
                 static_cast<long long>(settle_timeout.count()), (work_ / "logs").c_str());
    return exit_real_cluster_failed;
  }

  t0_ = Clock::now();
  wall_t0_us_ = net::wall_clock_us();
  std::string error;
  const std::string controller_path = (work_ / "traces" / "controller.jsonl").string();
  controller_ = sim::NodeTraceWriter::open(controller_path, "controller", {}, error);
  if (!controller_) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return exit_real_cluster_failed;
  }
  controller_->header({{"node", "controller"}, {"node_id", 0}, {"role", "controller"}, {"wall_us", wall_t0_us_},
                       {"mode", network_kind_}, {"scenario_path", options_.scenario_path},
                       {"scenario", scenario_to_json(scenario_)}});
  if (!options_.json) {
    std::printf("running %s for real (%lld ms of scenario time); work directory %s\n", options_.scenario_path.c_str(),
                static_cast<long long>(std::max(scenario_.duration_ms, scenario_.workload.stop_ms)), work_.c_str());
    std::fflush(stdout);
  }
  run_timeline(cluster, *network);

  if (client_.running() && !client_.wait(client_exit_grace)) {
    client_.signal(SIGTERM);
    client_.wait(std::chrono::milliseconds(5000));
    fault_notes_.push_back("the load client overran the run and was stopped");
  }
  cluster.stop_all();
  controller_->close({{"lines", controller_->lines()}});

  std::vector<std::string> traces = cluster.trace_files();
  traces.push_back((work_ / "traces" / "client-1.jsonl").string());
  traces.push_back(controller_path);
  return judge(traces);
}

}  // namespace

int real_run_command(const std::vector<std::string>& args) {
  RealRunOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&] { return flag_value(args, i); };
    if (arg == "--real") continue;  // `sim SCENARIO --real` lands here with the flag still in place.
    if (arg == "--seed" || arg == "--base-port" || arg == "--max-image-bytes") {
      auto text = value();
      if (!text) return exit_bad_input;
      auto number = parse_unsigned_flag(arg, *text);
      if (!number) return exit_bad_input;
      if (arg == "--seed") options.seed = *number;
      if (arg == "--max-image-bytes") {
        if (*number < 1024 || *number > 16 * 1024 * 1024) {
          std::fprintf(stderr, "--max-image-bytes: must be between 1024 and 16777216, got %s\n", text->c_str());
          return exit_bad_input;
        }
        options.max_image_bytes = *number;
      }
      if (arg == "--base-port") {
        if (*number < 1024 || *number > 65000) {
          std::fprintf(stderr, "--base-port: must be between 1024 and 65000, got %s\n", text->c_str());
          return exit_bad_input;
        }
        options.base_port = static_cast<std::uint16_t>(*number);
      }
    } else if (arg == "--work-dir" || arg == "--bin-dir") {
      auto text = value();
      if (!text) return exit_bad_input;
      (arg == "--work-dir" ? options.work_dir : options.bin_dir) = *text;
    } else if (arg == "--network") {
      auto text = value();
      if (!text) return exit_bad_input;
      if (*text == "auto") {
        options.network = NetworkChoice::automatic;
      } else if (*text == "loopback") {
        options.network = NetworkChoice::loopback;
      } else if (*text == "netns") {
        options.network = NetworkChoice::namespaces;
      } else if (*text == "docker") {
        options.network = NetworkChoice::docker;
      } else {
        std::fprintf(stderr, "--network: expected auto, loopback, netns or docker, got '%s'\n", text->c_str());
        return exit_bad_input;
      }
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "%s: unknown option for sim real (see sim --help)\n", arg.c_str());
      return exit_bad_input;
    } else if (options.scenario_path.empty()) {
      options.scenario_path = arg;
    } else {
      std::fprintf(stderr, "%s: unexpected argument; one scenario per run\n", arg.c_str());
      return exit_bad_input;
    }
  }
  if (options.scenario_path.empty()) {
    std::fprintf(stderr, "sim real: no scenario given\n");
    return exit_bad_input;
  }
  std::optional<Scenario> scenario = load_scenario_file(options.scenario_path);
  if (!scenario) return exit_bad_input;
  if (options.seed) scenario->seed = *options.seed;
  if (options.bin_dir.empty()) options.bin_dir = (fs::read_symlink("/proc/self/exe").parent_path() / "net").string();
  if (!fs::exists(fs::path(options.bin_dir) / "edgecache-server")) {
    std::fprintf(stderr, "--bin-dir: %s has no edgecache-server (build the daemons, or pass --bin-dir)\n", options.bin_dir.c_str());
    return exit_bad_input;
  }
  if (options.work_dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "edgecache-real-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "cannot create a work directory under %s\n", fs::temp_directory_path().c_str());
      return exit_bad_input;
    }
    options.work_dir = pattern;
  }
  RealRun run(options, std::move(*scenario));
  return run.execute();
}

}  // namespace edgecache::sim
