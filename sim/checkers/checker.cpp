#include "sim/checkers/checker.h"

#include <algorithm>

namespace edgecache::sim {

bool ClusterLayout::is_edge(NodeId id) const { return std::binary_search(edges.begin(), edges.end(), id); }

bool ClusterLayout::is_client(NodeId id) const {
  return std::find(clients.begin(), clients.end(), id) != clients.end();
}

const char* verdict_kind_name(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::held: return "held";
    case VerdictKind::failed: return "failed";
    case VerdictKind::skipped: return "skipped";
  }
  return "unknown";
}

Verdict Checker::verdict() const {
  Verdict verdict{name(), VerdictKind::held, ""};
  if (violations_ > 0) {
    verdict.kind = VerdictKind::failed;
    verdict.detail = std::to_string(violations_) + (violations_ == 1 ? " violation" : " violations");
  } else if (!skipped_reason_.empty()) {
    verdict.kind = VerdictKind::skipped;
    verdict.detail = skipped_reason_;
  }
  return verdict;
}

void Checker::violation(TimeUs now, std::string node, std::string detail) {
  ++violations_;
  context_.report(Violation{name(), now, std::move(node), std::move(detail)});
}

bool Checker::quiet_long_enough(TimeUs now, TimeUs quiet_since_us) {
  TimeUs quiet_us = now - quiet_since_us;
  if (quiet_us >= ms_to_us(context_.checks.quiet_period_ms)) return true;
  skip("only " + std::to_string(quiet_us / 1000) + " ms of quiet before the end");
  return false;
}

std::vector<std::vector<NodeId>> Checker::connected_edge_groups() const {
  const HostStates& world = context_.world;
  std::vector<NodeId> running;
  for (NodeId edge : context_.layout.edges) {
    if (world.is_running(edge)) running.push_back(edge);
  }
  // Union-find over the running edges, joining pairs whose links are open both ways.
  std::vector<std::size_t> parent(running.size());
  for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = i;
  auto root = [&](std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (std::size_t a = 0; a < running.size(); ++a) {
    for (std::size_t b = a + 1; b < running.size(); ++b) {
      if (world.link_open(running[a], running[b]) && world.link_open(running[b], running[a])) {
        parent[root(a)] = root(b);
      }
    }
  }
  std::vector<std::vector<NodeId>> groups;
  std::vector<std::size_t> group_of_root(running.size(), running.size());
  for (std::size_t i = 0; i < running.size(); ++i) {
    std::size_t r = root(i);
    if (group_of_root[r] == running.size()) {
      group_of_root[r] = groups.size();
      groups.emplace_back();
    }
    groups[group_of_root[r]].push_back(running[i]);
  }
  return groups;
}

}  // namespace edgecache::sim
