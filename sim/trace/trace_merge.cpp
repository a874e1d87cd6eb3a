#include "sim/trace/trace_merge.h"

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace edgecache::sim {

namespace {

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

std::string host_name(const NodeTrace& trace, NodeId id) {
  auto found = trace.header.hosts.find(id);
  return found != trace.header.hosts.end() ? found->second : "node-" + std::to_string(id);
}

// Whether `candidate` is a likelier sender incarnation than `chosen` of a message received at `wall_us`: one
// that had started by then beats one that had not, and among those that had, the latest wins.
bool later_incarnation_fits(const NodeTrace& chosen, const NodeTrace& candidate, std::int64_t wall_us) {
  const bool chosen_started = chosen.header.wall_us <= wall_us;
  const bool candidate_started = candidate.header.wall_us <= wall_us;
  if (chosen_started != candidate_started) return candidate_started;
  return candidate_started ? candidate.header.wall_us > chosen.header.wall_us : candidate.header.wall_us < chosen.header.wall_us;
}

// For every recv line, the (trace, event) of its send, or `none` in .trace if it has none to wait for.
std::vector<std::vector<MergedEvent>> find_sends(const std::vector<NodeTrace>& traces, std::uint64_t& missing) {
  // (sender name, lamport) -> every send line with that stamp, over all incarnations of the sender.
  std::map<std::pair<std::string, std::uint64_t>, std::vector<MergedEvent>> sends;
  for (std::size_t t = 0; t < traces.size(); ++t) {
    for (std::size_t e = 0; e < traces[t].events.size(); ++e) {
      const NodeTraceEvent& event = traces[t].events[e];
      if (event.ev == "send") sends[{traces[t].header.node, event.lamport}].push_back({t, e});
    }
  }
  std::vector<std::vector<MergedEvent>> send_of(traces.size());
  for (std::size_t t = 0; t < traces.size(); ++t) {
    const NodeTrace& trace = traces[t];
    send_of[t].assign(trace.events.size(), MergedEvent{none, 0});
    for (std::size_t e = 0; e < trace.events.size(); ++e) {
      const NodeTraceEvent& event = trace.events[e];
      if (event.ev != "recv") continue;
      const std::uint64_t stamp = event.json["sent_lamport"].get<std::uint64_t>();
      if (stamp == 0) continue;
      const std::string sender = host_name(trace, static_cast<NodeId>(event.json["from_id"].get<std::uint64_t>()));
      auto candidates = sends.find({sender, stamp});
      std::optional<MergedEvent> chosen;
      if (candidates != sends.end()) {
        // A restarted sender counts its clock from zero again, so a stamp may recur; the send came from the
        // latest incarnation that had started by the time the message arrived.
        for (const MergedEvent& candidate : candidates->second) {
          const NodeTrace& source = traces[candidate.trace];
          if (source.events[candidate.event].json["to_id"].get<std::uint64_t>() != trace.header.node_id) continue;
          if (!chosen || later_incarnation_fits(traces[chosen->trace], source, event.wall_us)) chosen = candidate;
        }
      }
      if (chosen) {
        send_of[t][e] = *chosen;
      } else {
        ++missing;
      }
    }
  }
  return send_of;
}

}  // namespace

MergedOrder merge_node_traces(const std::vector<NodeTrace>& traces) {
  MergedOrder order;
  std::vector<std::vector<MergedEvent>> send_of = find_sends(traces, order.sends_missing);
  std::vector<std::vector<bool>> placed(traces.size());
  std::vector<std::size_t> next(traces.size(), 0);
  std::size_t total = 0;
  for (std::size_t t = 0; t < traces.size(); ++t) {
    placed[t].assign(traces[t].events.size(), false);
    total += traces[t].events.size();
  }
  order.events.reserve(total);
  while (order.events.size() < total) {
    std::size_t best = none;
    std::size_t earliest = none;
    for (std::size_t t = 0; t < traces.size(); ++t) {
      if (next[t] == traces[t].events.size()) continue;
      const std::int64_t wall_us = traces[t].events[next[t]].wall_us;
      if (earliest == none || wall_us < traces[earliest].events[next[earliest]].wall_us) earliest = t;
      const MergedEvent send = send_of[t][next[t]];
      if (send.trace != none && !placed[send.trace][send.event]) continue;
      if (best == none || wall_us < traces[best].events[next[best]].wall_us) best = t;
    }
    if (best == none) {
      ++order.forced;
      best = earliest;
    }
    placed[best][next[best]] = true;
    order.events.push_back({best, next[best]});
    ++next[best];
  }
  return order;
}

}  // namespace edgecache::sim
