#include "core/env.h"

#include "core/assert.h"

namespace edgecache {

std::string_view timer_kind_name(TimerKind kind) {
  switch (kind) {
    case TimerKind::heartbeat:
      return "heartbeat";
    case TimerKind::leader_timeout:
      return "leader_timeout";
    case TimerKind::answer_timeout:
      return "answer_timeout";
    case TimerKind::coordinator_timeout:
      return "coordinator_timeout";
    case TimerKind::origin_timeout:
      return "origin_timeout";
    case TimerKind::size_timeout:
      return "size_timeout";
    case TimerKind::pull_timeout:
      return "pull_timeout";
    case TimerKind::anti_entropy:
      return "anti_entropy";
    case TimerKind::attempt_timeout:
      return "attempt_timeout";
    case TimerKind::request_deadline:
      return "request_deadline";
    case TimerKind::hedge:
      return "hedge";
    case TimerKind::probe_timeout:
      return "probe_timeout";
  }
  // Timer kinds never cross the network, so another value means a bad cast in our own code; naming it keeps
  // a trace readable while the bug is found.
  return "invalid_timer_kind";
}

std::uint64_t random_below(Env& env, std::uint64_t bound) {
  EC_ASSERT(bound > 0, "random_below needs a positive bound");
  // 2^64 mod bound draws would land on the low residues once more than the rest, so they are rejected;
  // every remaining draw maps onto [0, bound) the same number of times. At most half the draws are ever
  // rejected, so the expected number of draws is below two.
  const std::uint64_t rejected_below = (std::uint64_t{0} - bound) % bound;
  while (true) {
    const std::uint64_t draw = env.random_u64();
    if (draw >= rejected_below) return draw % bound;
  }
}

}  // namespace edgecache
