#pragma once
// Puts the events of several node traces (every daemon of a real run, each incarnation in a file of its
// own) into one order that respects causality: by wall clock, except that a message's receipt never comes
// before its send. The send of a `recv` is the `send` line of node `from` (the incarnation that was running
// then) whose `lamport` equals the recv's `sent_lamport`, addressed to the receiver; local clients stamp 0
// and have no send. Wall clocks of different machines disagree, which is why the send pairing wins.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/trace/node_trace.h"

namespace edgecache::sim {

struct MergedEvent {
  std::size_t trace = 0;  // Index into the traces given.
  std::size_t event = 0;  // Index into that trace's events.
};

struct MergedOrder {
  std::vector<MergedEvent> events;
  // Receipts whose send is in none of the traces (a trace lost, or a sender that did not record).
  std::uint64_t sends_missing = 0;
  // Times every trace's next event waited for a send not yet placed, so the earliest was placed anyway: the
  // traces contradict each other (a cycle), which a consistent recording cannot produce.
  std::uint64_t forced = 0;
};

// Returns every event of every trace, each trace's events in their own order.
MergedOrder merge_node_traces(const std::vector<NodeTrace>& traces);

}  // namespace edgecache::sim
