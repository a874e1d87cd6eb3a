#pragma once
// What checkers may ask about the hosts of a run besides what they observe: names, who is running and which
// links are open. The simulated World answers from its own state; `sim check` answers from the node traces
// of a real run (incarnation headers, the fault controller's lines). Checkers see only this, so the same
// checkers judge both kinds of run.

#include <string>

#include "core/types.h"

namespace edgecache::sim {

class HostStates {
 public:
  virtual ~HostStates() = default;

  // Returns the host's name ("edge-2", "canonical"). REQUIRES: `id` names a host of the run (the World
  // asserts; a run read from traces names any other id after the id itself).
  virtual const std::string& name(NodeId id) const = 0;

  // Returns whether the host is up (started, not crashed) and not paused, so it handles events now.
  virtual bool is_running(NodeId id) const = 0;

  // Returns whether a message sent now from `from` to `to` would not be cut by a partition, isolation or
  // one-way cut, nor held by a hold. It ignores loss and whether either host is up.
  virtual bool link_open(NodeId from, NodeId to) const = 0;
};

}  // namespace edgecache::sim
