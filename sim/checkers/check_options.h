#pragma once
// The checkers' own settings: a scenario's `checks` block.

#include <cstdint>

namespace edgecache::sim {

struct CheckOptions {
  // Two leaders that can reach each other may coexist this long before it is a violation.
  std::int64_t leader_overlap_limit_ms = 3000;
  // After the last fault (and the workload's end), how long the cluster gets to converge before the
  // liveness and replication checks. The run lasts at least until then.
  std::int64_t quiet_period_ms = 5000;
  // How long past its deadline a client request may stay unanswered before "answered exactly once" fires.
  std::int64_t answer_grace_ms = 100;

  friend bool operator==(const CheckOptions&, const CheckOptions&) = default;
};

}  // namespace edgecache::sim
