#pragma once
// Passive health checking of edges, as Envoy's outlier detection and Finagle's failure accrual do it: a
// client that sees an edge fail stops sending it requests for a while, sends it only probes, and takes it
// back when a probe answers in time. Both clients use this one policy: the simulated one (core/client.cpp)
// and edgecache-client (net/client/failover.cpp); each passes its own clock's time in.
//
// An edge becomes ejected when it fails once: a timeout, an unavailable or corrupt answer, a refused
// connection, or a race lost to a hedge sent to another edge (a gray failure: it answers, but later than
// another edge answered from scratch). While ejected it is tried only after every other edge, and one probe
// may go to it each time its ejection runs out. Ejections double on every failure in a row, from
// `first_ejection_us` up to `max_ejection_us`, so a dead edge costs one probe per max_ejection_us once it
// has been dead a while, and a healthy edge ejected by one unlucky race is back after one probe.

#include <cstdint>
#include <vector>

#include "core/id_map.h"
#include "core/types.h"

namespace edgecache {

struct EdgeHealthPolicy {
  TimeUs first_ejection_us = 250'000;
  TimeUs max_ejection_us = 8'000'000;
};

class EdgeHealth {
 public:
  // REQUIRES: 0 < policy.first_ejection_us <= policy.max_ejection_us.
  explicit EdgeHealth(EdgeHealthPolicy policy);

  // Returns true if `edge` is ejected: it failed and has not answered a probe or request since.
  bool ejected(NodeId edge) const;

  // Moves the ejected edges of `edges` behind the others, keeping the order within each group, so a request
  // goes to an ejected edge only when every other edge has been tried.
  void order(std::vector<NodeId>& edges) const;

  // Returns true, and records that a probe is out, if `edge` is ejected, its ejection ran out by `now_us`
  // and no probe to it is out. The caller then sends the edge one probe and reports how it went with
  // succeeded() or failed().
  bool take_probe(NodeId edge, TimeUs now_us);

  // The edge answered a request or probe (ok or not found) in good time: it is healthy again.
  void succeeded(NodeId edge);

  // The edge did not answer in time, answered unavailable, sent a corrupt answer or was beaten by a hedge:
  // it is ejected until now_us plus the next ejection period.
  void failed(NodeId edge, TimeUs now_us);

  // How long the edge's current ejection lasts; 0 when it is not ejected. For tests and status output.
  TimeUs ejection_us(NodeId edge) const;

 private:
  struct State {
    std::uint32_t failures_in_a_row = 0;  // Ejected while non-zero.
    TimeUs probe_at_us = 0;  // When the current ejection runs out.
    bool probe_out = false;
  };

  EdgeHealthPolicy policy_;
  IdMap<State> states_;  // Only ejected edges have an entry.
};

}  // namespace edgecache
