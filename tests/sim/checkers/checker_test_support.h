#pragma once
// Shared pieces of the checker tests: a small healthy scenario, and questions about a run's verdicts. Each
// checker test runs the scenario once with healthy nodes (the checker must hold) and once with a deliberately
// broken node (the checker must fire), so no checker can pass by never looking.

#include <string>

#include "core/env.h"
#include "sim/cluster.h"
#include "sim/scenario.h"

namespace edgecache::sim::testing {

inline Scenario small_scenario() {
  Scenario scenario;
  scenario.name = "checker_test";
  scenario.seed = 42;
  scenario.duration_ms = 6000;
  scenario.cluster.edges = 3;
  scenario.cluster.clients = 2;
  scenario.catalog.images = 50;
  scenario.catalog.median_size_bytes = 8 * 1024;
  scenario.catalog.max_size_bytes = 64 * 1024;
  scenario.network.latency_ms_mean = 1.0;
  scenario.workload.rate_per_s = 100;
  scenario.workload.stop_ms = 3000;
  scenario.checks.quiet_period_ms = 3000;
  return scenario;
}

inline const Verdict* verdict_of(const RunReport& report, const std::string& checker) {
  for (const Verdict& verdict : report.verdicts) {
    if (verdict.checker == checker) return &verdict;
  }
  return nullptr;
}

inline bool fired(const RunReport& report, const std::string& checker) {
  const Verdict* verdict = verdict_of(report, checker);
  return verdict != nullptr && verdict->kind == VerdictKind::failed;
}

inline bool held(const RunReport& report, const std::string& checker) {
  const Verdict* verdict = verdict_of(report, checker);
  return verdict != nullptr && verdict->kind == VerdictKind::held;
}

inline std::string violations_text(const RunReport& report) {
  std::string text;
  for (const Violation& violation : report.violations) {
    text += "[" + violation.checker + "] t=" + std::to_string(violation.time_us / 1000) + "ms " + violation.node + ": " +
            violation.detail + "\n";
  }
  return text;
}

// An Env that lets a test rewrite or drop what a node sends. `rewrite` returns false to drop the message; it
// may also send extra messages through `target()`.
class RewritingEnv final : public ForwardingEnv {
 public:
  using Rewrite = std::function<bool(NodeId to, Message& message, Env& target)>;
  RewritingEnv(Env& target, Rewrite rewrite) : ForwardingEnv(target), rewrite_(std::move(rewrite)) {}
  void send(NodeId to, Message message) override {
    if (rewrite_(to, message, target())) target().send(to, std::move(message));
  }

 private:
  Rewrite rewrite_;
};

// An edge built over a RewritingEnv: the env must outlive the edge, so they live together.
class RewrittenEdge final : public Node, public EdgeObservable {
 public:
  RewrittenEdge(Env& env, const EdgeConfig& config, LruCache& cache, RewritingEnv::Rewrite rewrite)
      : env_(env, std::move(rewrite)), edge_(env_, config, cache) {}
  void on_start() override { edge_.on_start(); }
  void on_message(NodeId from, const Message& message) override { edge_.on_message(from, message); }
  void on_timer(const Timer& timer) override { edge_.on_timer(timer); }
  EdgeStatus status() const override { return edge_.status(); }
  std::vector<ImageId> cached_images() const override { return edge_.cached_images(); }

 private:
  RewritingEnv env_;
  Edge edge_;
};

}  // namespace edgecache::sim::testing
