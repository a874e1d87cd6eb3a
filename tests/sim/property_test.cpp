// Property-based tests of the whole cluster (rapidcheck). Each case generates an entire scenario: the
// cluster's shape, a small catalog, the network, the workload, and the fault schedule as a value of its own,
// a list of fault episodes (a crash and maybe its restart, a pause and its resume, a partition and its heal,
// ...). The scenario runs in the simulator and three properties must hold for every one of them: every
// checker holds, the run is deterministic, and after the last fault and the quiet period exactly one edge
// leads, the highest one still running.
//
// The generated value is a plan that does not depend on the cluster's shape (hosts are chosen by role and
// index, reduced modulo the hosts of that role), so rapidcheck can shrink the cluster and the schedule
// independently, down to the few faults that matter. A failing property writes its shrunk counterexample as
// a ready-to-run scenario file, property-failures/<property>-<hash>.json in the current directory, and the
// failure message says how to run it.
//
// Cases per property: 100 by default, so the file stays well under a minute in a Debug or sanitizer build.
// EDGECACHE_PROPERTY_CASES=N, or RC_PARAMS="max_success=N", runs N instead (docs/testing.md).

#include <catch2/catch.hpp>
#include <rapidcheck.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cluster.h"
#include "sim/scenario.h"
#include "sim/trace/trace.h"
#include "tests/sim/checkers/checker_test_support.h"

using namespace edgecache;
using namespace edgecache::sim;

namespace {

namespace fs = std::filesystem;

constexpr int default_case_count = 100;

// --- The generated plan -----------------------------------------------------------------------------------

enum class Role : std::uint8_t { edge, leader, canonical, client };

// A host chosen independently of the cluster's shape: `index` is reduced modulo the hosts of `role`.
struct Target {
  Role role = Role::edge;
  int index = 0;
};

enum class EpisodeKind : std::uint8_t { crash, bounce, pause, partition, isolate, cut, degrade, clock };

// One fault together with its undo, if it has one. Only the fields of its kind are generated.
struct Episode {
  EpisodeKind kind = EpisodeKind::crash;
  Target target;
  Target peer;                // cut: the far end; degrade of one link: the far end.
  int at_permille = 0;        // When the fault fires, as a share of the workload's span.
  int duration_ms = 0;        // Until its undo; for a crash, 0 means the host is never restarted.
  std::vector<int> sides;     // partition: per host (edges, canonical, clients) 0 unlisted, 1 or 2 its group.
  bool every_link = true;     // degrade: every link, or only target -> peer.
  int degraded_loss_percent = 0;
  int degraded_latency_ms = 1;
  int clock_offset_ms = 0;
  int clock_drift_ppm = 0;
};

struct Plan {
  std::uint64_t seed = 1;
  int edges = 3;
  int clients = 1;
  bool rendezvous_routing = false;
  int images = 100;
  int min_size_bytes = 1024;
  int median_extra_bytes = 0;  // median = min + this
  int max_extra_bytes = 0;     // max = median + this
  LatencyDistribution latency_distribution = LatencyDistribution::constant;
  int latency_tenths_ms = 10;
  int latency_stddev_percent = 0;  // Of the mean.
  int jitter_tenths_ms = 0;
  int loss_permille = 0;
  int duplicate_permille = 0;
  int bandwidth_bytes_per_ms = 0;
  int rate_per_s = 100;
  int span_ms = 3000;  // The workload runs over [0, span_ms); every fault and undo falls inside it.
  bool zipf = true;
  int zipf_s_tenths = 10;
  int get_size_percent = 10;
  std::vector<Episode> episodes;
};

// The largest cluster is 7 edges, the canonical and 3 clients.
constexpr int max_edges = 7;
constexpr int max_clients = 3;
constexpr int max_hosts = max_edges + 1 + max_clients;
// Each scenario stays short so a case takes milliseconds: at most 10 s of workload and faults, then the
// default 5 s quiet period.
constexpr int max_span_ms = 10000;
constexpr int max_fault_duration_ms = 4000;
constexpr double episodes_per_size = 0.12;  // rapidcheck's size goes up to 100: at most 12 episodes.

rc::Gen<Target> target_generator(bool allow_leader) {
  auto roles = allow_leader ? rc::gen::weightedElement<Role>({{6, Role::edge}, {2, Role::leader}, {1, Role::canonical}, {1, Role::client}})
                            : rc::gen::weightedElement<Role>({{6, Role::edge}, {1, Role::canonical}, {1, Role::client}});
  return rc::gen::build<Target>(rc::gen::set(&Target::role, roles),
                                rc::gen::set(&Target::index, rc::gen::inRange(0, max_hosts)));
}

rc::Gen<int> at_generator() { return rc::gen::inRange(0, 1000); }
rc::Gen<int> duration_generator() { return rc::gen::inRange(1, max_fault_duration_ms + 1); }

rc::Gen<Episode> episode_generator() {
  using namespace rc;
  auto episode = [](EpisodeKind kind) {
    Episode result;
    result.kind = kind;
    return result;
  };
  // A crash of "leader" cannot name its restart (the leader then is another edge), so it is permanent; a
  // named crash is restarted three times in four.
  Gen<Episode> crash = gen::map(gen::tuple(target_generator(true), at_generator(),
                                           gen::weightedOneOf<int>({{1, gen::just(0)}, {3, duration_generator()}})),
                                [=](const std::tuple<Target, int, int>& values) {
                                  Episode result = episode(EpisodeKind::crash);
                                  std::tie(result.target, result.at_permille, result.duration_ms) = values;
                                  if (result.target.role == Role::leader) result.duration_ms = 0;
                                  return result;
                                });
  Gen<Episode> bounce = gen::map(gen::tuple(target_generator(false), at_generator()), [=](const std::tuple<Target, int>& values) {
    Episode result = episode(EpisodeKind::bounce);
    std::tie(result.target, result.at_permille) = values;
    return result;
  });
  Gen<Episode> pause = gen::map(gen::tuple(target_generator(false), at_generator(), duration_generator()),
                                [=](const std::tuple<Target, int, int>& values) {
                                  Episode result = episode(EpisodeKind::pause);
                                  std::tie(result.target, result.at_permille, result.duration_ms) = values;
                                  return result;
                                });
  Gen<Episode> partition =
      gen::map(gen::tuple(gen::container<std::vector<int>>(max_hosts, gen::inRange(0, 3)), at_generator(), duration_generator()),
               [=](const std::tuple<std::vector<int>, int, int>& values) {
                 Episode result = episode(EpisodeKind::partition);
                 std::tie(result.sides, result.at_permille, result.duration_ms) = values;
                 return result;
               });
  Gen<Episode> isolate = gen::map(gen::tuple(target_generator(false), at_generator(), duration_generator()),
                                  [=](const std::tuple<Target, int, int>& values) {
                                    Episode result = episode(EpisodeKind::isolate);
                                    std::tie(result.target, result.at_permille, result.duration_ms) = values;
                                    return result;
                                  });
  Gen<Episode> cut = gen::map(gen::tuple(target_generator(false), target_generator(false), at_generator(), duration_generator()),
                              [=](const std::tuple<Target, Target, int, int>& values) {
                                Episode result = episode(EpisodeKind::cut);
                                std::tie(result.target, result.peer, result.at_permille, result.duration_ms) = values;
                                return result;
                              });
  Gen<Episode> degrade =
      gen::map(gen::tuple(gen::arbitrary<bool>(), target_generator(false), target_generator(false), at_generator(),
                          duration_generator(), gen::inRange(0, 51), gen::inRange(1, 51)),
               [=](const std::tuple<bool, Target, Target, int, int, int, int>& values) {
                 Episode result = episode(EpisodeKind::degrade);
                 bool one_link = false;
                 std::tie(one_link, result.target, result.peer, result.at_permille, result.duration_ms,
                          result.degraded_loss_percent, result.degraded_latency_ms) = values;
                 result.every_link = !one_link;
                 return result;
               });
  // Clock jumps and drift like the nemesis's: up to a second forward and +-5%.
  Gen<Episode> clock = gen::map(gen::tuple(target_generator(false), at_generator(), gen::inRange(0, 1001), gen::inRange(-50000, 50001)),
                                [=](const std::tuple<Target, int, int, int>& values) {
                                  Episode result = episode(EpisodeKind::clock);
                                  std::tie(result.target, result.at_permille, result.clock_offset_ms, result.clock_drift_ppm) = values;
                                  return result;
                                });
  return gen::oneOf(crash, bounce, pause, partition, isolate, cut, degrade, clock);
}

rc::Gen<Plan> plan_generator() {
  using namespace rc;
  return gen::build<Plan>(
      // A different seed is a different run altogether, so shrinking it would only lose the failure.
      gen::set(&Plan::seed, gen::noShrink(gen::inRange<std::uint64_t>(1, 1'000'000'000))),
      gen::set(&Plan::edges, gen::inRange(1, max_edges + 1)),
      gen::set(&Plan::clients, gen::inRange(1, max_clients + 1)),
      gen::set(&Plan::rendezvous_routing, gen::arbitrary<bool>()),
      // Up to 1,000 images: a restarted or rejoining edge must then pull hundreds of them, which is what
      // exposed the stale pull source bug (scenarios/regressions/restarted_edge_pulls_from_crashed_leader.json).
      gen::set(&Plan::images, gen::inRange(1, 1001)),
      gen::set(&Plan::min_size_bytes, gen::inRange(64, 2049)),
      gen::set(&Plan::median_extra_bytes, gen::inRange(0, 8193)),
      gen::set(&Plan::max_extra_bytes, gen::inRange(0, 32769)),
      gen::set(&Plan::latency_distribution,
               gen::element(LatencyDistribution::constant, LatencyDistribution::uniform, LatencyDistribution::normal,
                            LatencyDistribution::lognormal)),
      gen::set(&Plan::latency_tenths_ms, gen::inRange(1, 51)),
      gen::set(&Plan::latency_stddev_percent, gen::inRange(0, 101)),
      gen::set(&Plan::jitter_tenths_ms, gen::inRange(0, 21)),
      gen::set(&Plan::loss_permille, gen::inRange(0, 101)),
      gen::set(&Plan::duplicate_permille, gen::inRange(0, 51)),
      gen::set(&Plan::bandwidth_bytes_per_ms, gen::element(0, 12'500, 125'000)),
      gen::set(&Plan::rate_per_s, gen::inRange(20, 301)),
      gen::set(&Plan::span_ms, gen::inRange(1000, max_span_ms + 1)),
      gen::set(&Plan::zipf, gen::arbitrary<bool>()),
      gen::set(&Plan::zipf_s_tenths, gen::inRange(5, 16)),
      gen::set(&Plan::get_size_percent, gen::inRange(0, 51)),
      gen::set(&Plan::episodes, gen::scale(episodes_per_size, gen::container<std::vector<Episode>>(episode_generator()))));
}

// --- From plan to scenario --------------------------------------------------------------------------------

std::string host_name(const Plan& plan, const Target& target) {
  switch (target.role) {
    case Role::edge: return "edge-" + std::to_string(target.index % plan.edges + 1);
    case Role::leader: return "leader";
    case Role::canonical: return "canonical";
    case Role::client: return "client-" + std::to_string(target.index % plan.clients + 1);
  }
  return "canonical";
}

// Every host of the plan's cluster: edges, the canonical, clients, in the order Episode::sides uses.
std::vector<std::string> all_hosts(const Plan& plan) {
  std::vector<std::string> hosts;
  for (int i = 1; i <= plan.edges; ++i) hosts.push_back("edge-" + std::to_string(i));
  hosts.push_back("canonical");
  for (int j = 1; j <= plan.clients; ++j) hosts.push_back("client-" + std::to_string(j));
  return hosts;
}

// The far end of a link from `from`: the peer's host, or the next host if that is `from` itself.
std::string other_host(const Plan& plan, const std::string& from, const Target& peer) {
  std::string to = host_name(plan, peer);
  if (to != from) return to;
  std::vector<std::string> hosts = all_hosts(plan);
  auto position = std::find(hosts.begin(), hosts.end(), from);
  return hosts[static_cast<std::size_t>(position - hosts.begin() + 1) % hosts.size()];
}

void add_episode(const Plan& plan, const Episode& episode, std::vector<Fault>& faults) {
  const std::int64_t at = std::int64_t{plan.span_ms} * episode.at_permille / 1000;
  const std::int64_t undo_at = std::min<std::int64_t>(at + episode.duration_ms, plan.span_ms);
  auto fault = [&](FaultKind kind, std::int64_t at_ms) {
    Fault result;
    result.kind = kind;
    result.at_ms = at_ms;
    return result;
  };
  switch (episode.kind) {
    case EpisodeKind::crash: {
      Fault crash = fault(FaultKind::crash, at);
      crash.node = host_name(plan, episode.target);
      faults.push_back(crash);
      if (episode.duration_ms > 0) {
        Fault restart = fault(FaultKind::restart, undo_at);
        restart.node = crash.node;
        faults.push_back(restart);
      }
      break;
    }
    case EpisodeKind::bounce: {
      Fault restart = fault(FaultKind::restart, at);
      restart.node = host_name(plan, episode.target);
      faults.push_back(restart);
      break;
    }
    case EpisodeKind::pause: {
      Fault pause = fault(FaultKind::pause, at);
      pause.node = host_name(plan, episode.target);
      Fault resume = fault(FaultKind::resume, undo_at);
      resume.node = pause.node;
      faults.push_back(pause);
      faults.push_back(resume);
      break;
    }
    case EpisodeKind::partition: {
      std::vector<std::string> hosts = all_hosts(plan);
      std::vector<std::string> groups[2];
      for (std::size_t i = 0; i < hosts.size() && i < episode.sides.size(); ++i) {
        if (episode.sides[i] > 0) groups[episode.sides[i] - 1].push_back(hosts[i]);
      }
      Fault partition = fault(FaultKind::partition, at);
      for (auto& group : groups) {
        if (!group.empty()) partition.groups.push_back(group);
      }
      // Everyone unlisted: cut edge-1 off from the rest, so the fault still does something.
      if (partition.groups.empty()) partition.groups.push_back({"edge-1"});
      faults.push_back(partition);
      faults.push_back(fault(FaultKind::heal, undo_at));
      break;
    }
    case EpisodeKind::isolate: {
      Fault isolate = fault(FaultKind::isolate, at);
      isolate.node = host_name(plan, episode.target);
      faults.push_back(isolate);
      faults.push_back(fault(FaultKind::heal, undo_at));
      break;
    }
    case EpisodeKind::cut: {
      Fault cut = fault(FaultKind::cut, at);
      cut.from = host_name(plan, episode.target);
      cut.to = other_host(plan, cut.from, episode.peer);
      faults.push_back(cut);
      faults.push_back(fault(FaultKind::heal, undo_at));
      break;
    }
    case EpisodeKind::degrade: {
      Fault degrade = fault(FaultKind::degrade, at);
      Fault restore = fault(FaultKind::restore, undo_at);
      if (!episode.every_link) {
        degrade.from = restore.from = host_name(plan, episode.target);
        degrade.to = restore.to = other_host(plan, degrade.from, episode.peer);
      }
      degrade.link.latency_distribution = plan.latency_distribution;
      degrade.link.latency_ms_mean = episode.degraded_latency_ms;
      degrade.link.latency_ms_stddev = episode.degraded_latency_ms * plan.latency_stddev_percent / 100.0;
      degrade.link.jitter_ms = episode.degraded_latency_ms / 2.0;
      degrade.link.loss_probability = episode.degraded_loss_percent / 100.0;
      degrade.link.duplicate_probability = plan.duplicate_permille / 1000.0;
      degrade.link.bandwidth_bytes_per_ms = plan.bandwidth_bytes_per_ms;
      faults.push_back(degrade);
      faults.push_back(restore);
      break;
    }
    case EpisodeKind::clock: {
      Fault clock = fault(FaultKind::clock, at);
      clock.node = host_name(plan, episode.target);
      clock.offset_ms = episode.clock_offset_ms;
      clock.drift_ppm = episode.clock_drift_ppm;
      faults.push_back(clock);
      break;
    }
  }
}

Scenario scenario_of(const Plan& plan) {
  Scenario scenario;
  scenario.name = "property";
  scenario.description = "Generated by tests/sim/property_test.cpp.";
  scenario.seed = plan.seed;
  scenario.duration_ms = plan.span_ms;
  scenario.cluster.edges = static_cast<std::uint32_t>(plan.edges);
  scenario.cluster.clients = static_cast<std::uint32_t>(plan.clients);
  scenario.cluster.client.routing = plan.rendezvous_routing ? RoutingMode::rendezvous : RoutingMode::modulo;
  scenario.catalog.images = static_cast<std::uint64_t>(plan.images);
  scenario.catalog.min_size_bytes = static_cast<std::uint64_t>(plan.min_size_bytes);
  scenario.catalog.median_size_bytes = scenario.catalog.min_size_bytes + static_cast<std::uint64_t>(plan.median_extra_bytes);
  scenario.catalog.max_size_bytes = scenario.catalog.median_size_bytes + static_cast<std::uint64_t>(plan.max_extra_bytes);
  LinkOptions& network = scenario.network;
  network.latency_distribution = plan.latency_distribution;
  network.latency_ms_mean = plan.latency_tenths_ms / 10.0;
  network.latency_ms_stddev = network.latency_ms_mean * plan.latency_stddev_percent / 100.0;
  network.jitter_ms = plan.jitter_tenths_ms / 10.0;
  network.loss_probability = plan.loss_permille / 1000.0;
  network.duplicate_probability = plan.duplicate_permille / 1000.0;
  network.bandwidth_bytes_per_ms = plan.bandwidth_bytes_per_ms;
  scenario.workload.rate_per_s = plan.rate_per_s;
  scenario.workload.start_ms = 0;
  scenario.workload.stop_ms = plan.span_ms;
  scenario.workload.popularity = plan.zipf ? Popularity::zipf : Popularity::uniform;
  scenario.workload.zipf_s = plan.zipf_s_tenths / 10.0;
  scenario.workload.get_size_fraction = plan.get_size_percent / 100.0;
  for (const Episode& episode : plan.episodes) add_episode(plan, episode, scenario.faults);
  // Message loss stops with the workload, by a last fault that degrades every link to the same options
  // without loss. Convergence under loss that never stops is only probabilistic: a lost pull reply costs an
  // edge a whole anti-entropy round, so with a few percent loss some run in a hundred misses an image at the
  // end of any fixed quiet period. The checkers judge liveness and replication after the faults stop, and
  // steady loss is a fault that would never stop. (A degrade episode's undo, "restore", goes back to the
  // lossy network, as it would in a file written by hand.)
  if (network.loss_probability > 0) {
    Fault lossless = Fault{};
    lossless.kind = FaultKind::degrade;
    lossless.at_ms = plan.span_ms;
    lossless.link = network;
    lossless.link.loss_probability = 0;
    scenario.faults.push_back(lossless);
  }
  // The loader's order: by time, ties in the order written, so a file written from this scenario loads back
  // as the very same scenario.
  std::stable_sort(scenario.faults.begin(), scenario.faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  return scenario;
}

std::string describe_fault(const Fault& fault) {
  std::string text = std::to_string(fault.at_ms) + "ms " + fault_kind_name(fault.kind);
  if (!fault.node.empty()) text += " " + fault.node;
  if (!fault.from.empty()) text += " " + fault.from + "->" + fault.to;
  for (std::size_t g = 0; g < fault.groups.size(); ++g) {
    text += g == 0 ? " {" : " | {";
    for (std::size_t m = 0; m < fault.groups[g].size(); ++m) text += (m == 0 ? "" : ",") + fault.groups[g][m];
    text += "}";
  }
  return text;
}

// How rapidcheck prints a counterexample: the scenario in brief (the file written on failure has it all).
void showValue(const Plan& plan, std::ostream& out) {
  Scenario scenario = scenario_of(plan);
  out << scenario.cluster.edges << " edges, " << scenario.cluster.clients << " clients, " << scenario.catalog.images
      << " images, seed " << scenario.seed << ", " << scenario.workload.rate_per_s << " req/s for "
      << scenario.workload.stop_ms << " ms, loss " << scenario.network.loss_probability << ", duplicates "
      << scenario.network.duplicate_probability << "; faults:";
  if (scenario.faults.empty()) out << " none";
  for (const Fault& fault : scenario.faults) out << "\n    " << describe_fault(fault);
}

// --- Running a property -----------------------------------------------------------------------------------

int case_count() {
  if (const char* text = std::getenv("EDGECACHE_PROPERTY_CASES"); text != nullptr && *text != '\0') {
    int cases = std::atoi(text);
    if (cases > 0) return cases;
  }
  if (const char* params = std::getenv("RC_PARAMS"); params != nullptr && std::string(params).find("max_success") != std::string::npos) {
    return rc::detail::configuration().testParams.maxSuccess;
  }
  return default_case_count;
}

using testing::violations_text;

std::string content_hash(const std::string& text) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  return format_hash(hash);
}

// Writes a counterexample as a scenario file and returns its path relative to the current directory.
std::string write_counterexample(const std::string& property, const Scenario& scenario) {
  std::string text = scenario_to_json(scenario).dump(2) + "\n";
  fs::create_directories("property-failures");
  std::string path = "property-failures/" + property + "-" + content_hash(text) + ".json";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// rapidcheck reports progress through a listener; these properties report only their result.
class SilentListener final : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

struct PropertyOutcome {
  bool passed = false;
  std::string message;                // rapidcheck's report, and for a failure where its counterexample is.
  std::optional<Scenario> minimal;    // The shrunk counterexample of a failure.
  std::string counterexample_path;    // Where it was written, relative to the current directory.
};

// Checks `property` (which uses RC_ASSERT / RC_FAIL) over `cases` generated scenarios. rapidcheck runs a
// failing case last once it has shrunk it, so the scenario of the last failing call is the minimal
// counterexample; it is written to a file, and the message says where and how to run it.
PropertyOutcome run_property(const std::string& name, int cases, const std::function<void(const Scenario&)>& property) {
  std::optional<Scenario> last_failing;
  auto testable = [&] {
    Scenario scenario = scenario_of(*plan_generator());
    // The file written on failure must load back as this very scenario, or it would not reproduce it.
    ScenarioResult reloaded = parse_scenario(scenario_to_json(scenario).dump());
    RC_ASSERT(reloaded.scenario.has_value());
    RC_ASSERT(*reloaded.scenario == scenario);
    try {
      property(scenario);
    } catch (...) {
      last_failing = scenario;
      throw;
    }
  };
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = cases;
  rc::detail::TestMetadata metadata{name, name};
  SilentListener listener;
  rc::detail::TestResult result =
      rc::detail::checkTestable(testable, metadata, params, listener, rc::detail::configuration().reproduce);
  PropertyOutcome outcome;
  outcome.passed = result.template is<rc::detail::SuccessResult>();
  std::ostringstream message;
  rc::detail::printResultMessage(result, message);
  if (!outcome.passed && last_failing) {
    outcome.minimal = last_failing;
    outcome.counterexample_path = write_counterexample(name, *last_failing);
    message << "\nThe minimal counterexample is written to " << outcome.counterexample_path << " ("
            << fs::absolute(outcome.counterexample_path).string()
            << ").\nReproduce it from this directory with: ./sim " << outcome.counterexample_path
            << "\nThe same scenario, for a log kept longer than the file:\n"
            << scenario_to_json(*last_failing).dump() << "\n";
  }
  outcome.message = message.str();
  return outcome;
}

void check_property(const std::string& name, const std::function<void(const Scenario&)>& property) {
  const int cases = case_count();
  PropertyOutcome outcome = run_property(name, cases, property);
  if (!outcome.passed) FAIL(outcome.message);
  SUCCEED(name << ": " << cases << " cases");
}

// The edge that must lead at the end: the highest edge not left crashed by the faults the run executed
// ("leader" resolved to a host), or none if every edge is down. Pauses always end with a resume.
std::optional<std::string> expected_final_leader(const Scenario& scenario, const RunReport& report) {
  std::map<std::string, bool> down;
  for (const Fault& fault : report.faults) {
    if (fault.kind == FaultKind::crash) down[fault.node] = true;
    if (fault.kind == FaultKind::restart) down[fault.node] = false;
  }
  for (std::uint32_t edge = scenario.cluster.edges; edge >= 1; --edge) {
    std::string name = "edge-" + std::to_string(edge);
    if (!down[name]) return name;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("property: every checker holds for any generated fault schedule", "[sim][property]") {
  check_property("checkers_hold", [](const Scenario& scenario) {
    RunReport report = run_scenario(scenario, {});
    if (!report.passed()) RC_FAIL(violations_text(report));
  });
}

TEST_CASE("property: the same scenario twice gives the same trace hash", "[sim][property]") {
  check_property("deterministic", [](const Scenario& scenario) {
    RunReport first = run_scenario(scenario, {});
    RunReport second = run_scenario(scenario, {});
    RC_ASSERT(first.trace_hash == second.trace_hash);
    RC_ASSERT(first.events == second.events);
  });
}

TEST_CASE("property: after the faults and the quiet period the highest running edge leads", "[sim][property]") {
  check_property("single_final_leader", [](const Scenario& scenario) {
    RunReport report = run_scenario(scenario, {});
    std::optional<std::string> expected = expected_final_leader(scenario, report);
    if (report.final_leader != expected) {
      RC_FAIL("final leader " + report.final_leader.value_or("none agreed") + ", expected " + expected.value_or("none") +
              "\n" + violations_text(report));
    }
  });
}

TEST_CASE("property harness: a failing property shrinks to its one relevant fault and writes it", "[sim][property]") {
  // A property that cannot fail proves nothing, so the harness itself is checked with one that must: "no
  // scenario crashes a host". Shrinking must strip every other episode, leaving one crash and perhaps its
  // restart, and the file must load back as the counterexample. The simulator is not run; only the
  // generator, the shrinking and the file are under test.
  PropertyOutcome outcome = run_property("harness_self_test", 200, [](const Scenario& scenario) {
    for (const Fault& fault : scenario.faults) RC_ASSERT(fault.kind != FaultKind::crash);
  });
  INFO(outcome.message);
  REQUIRE_FALSE(outcome.passed);
  REQUIRE(outcome.minimal);
  const std::vector<Fault>& faults = outcome.minimal->faults;
  REQUIRE(!faults.empty());
  REQUIRE(faults.size() <= 2);
  CHECK(faults[0].kind == FaultKind::crash);
  if (faults.size() == 2) {
    CHECK(faults[1].kind == FaultKind::restart);
    CHECK(faults[1].node == faults[0].node);
  }
  CHECK(outcome.message.find("./sim " + outcome.counterexample_path) != std::string::npos);
  std::ifstream file(outcome.counterexample_path);
  std::stringstream text;
  text << file.rdbuf();
  ScenarioResult loaded = parse_scenario(text.str());
  REQUIRE(loaded.scenario);
  CHECK(*loaded.scenario == *outcome.minimal);
  file.close();
  fs::remove(outcome.counterexample_path);
}
