#include "core/edge_health.h"

#include <algorithm>

#include "core/assert.h"

namespace edgecache {

EdgeHealth::EdgeHealth(EdgeHealthPolicy policy) : policy_(policy) {
  EC_ASSERT(policy_.first_ejection_us > 0, "first_ejection_us must be positive");
  EC_ASSERT(policy_.first_ejection_us <= policy_.max_ejection_us, "first_ejection_us must not exceed max_ejection_us");
}

bool EdgeHealth::ejected(NodeId edge) const {
  const State* state = states_.find(edge);
  return state != nullptr && state->failures_in_a_row > 0;
}

void EdgeHealth::order(std::vector<NodeId>& edges) const {
  if (states_.empty()) return;  // The common case: nobody has failed.
  std::stable_partition(edges.begin(), edges.end(), [this](NodeId edge) { return !ejected(edge); });
}

bool EdgeHealth::take_probe(NodeId edge, TimeUs now_us) {
  State* state = states_.find(edge);
  if (state == nullptr || state->failures_in_a_row == 0 || state->probe_out || now_us < state->probe_at_us) {
    return false;
  }
  state->probe_out = true;
  return true;
}

void EdgeHealth::succeeded(NodeId edge) {
  // Forgetting the edge entirely keeps the table as small as the set of edges in trouble.
  states_.erase(edge);
}

void EdgeHealth::failed(NodeId edge, TimeUs now_us) {
  State& state = states_[edge];
  if (state.failures_in_a_row < 64) ++state.failures_in_a_row;
  state.probe_out = false;
  state.probe_at_us = now_us + ejection_us(edge);
}

TimeUs EdgeHealth::ejection_us(NodeId edge) const {
  const State* state = states_.find(edge);
  if (state == nullptr || state->failures_in_a_row == 0) return 0;
  // Doubling stops at the cap well before the shift could overflow.
  TimeUs ejection = policy_.first_ejection_us;
  for (std::uint32_t failure = 1; failure < state->failures_in_a_row && ejection < policy_.max_ejection_us; ++failure) {
    ejection *= 2;
  }
  return std::min(ejection, policy_.max_ejection_us);
}

}  // namespace edgecache
