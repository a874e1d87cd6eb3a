#pragma once
// Log lines about the messages an operator watching a cluster cares about: an edge's misses and origin
// fetches, replication, and requests that failed; the canonical's answers to origin fetches. Routine traffic
// (heartbeats, elections, which show as leader changes, inventories) stays out of the log; a node trace
// (--trace) records every message.

#include <string>

#include "core/messages.h"
#include "core/types.h"
#include "net/log.h"
#include "net/real_env.h"
#include "sim/trace/node_names.h"

namespace edgecache::net {

class MessageLog {
 public:
  // `logger` must outlive this object; nodes are named in log lines by its names. `self` is this node's id
  // and `canonical` the canonical's.
  MessageLog(Logger& logger, NodeId self, NodeId canonical);

  // Logs `message`, which this node sends to `to`, if it is one of the kinds above.
  void sent(NodeId to, const Message& message);
  // Logs `message`, which this node received from the peer `from`, if it is one of the kinds above.
  void received(NodeId from, const Message& message);

 private:
  std::string name_of(NodeId id) const { return sim::recorded_node_name(logger_.names(), id); }

  Logger& logger_;
  NodeId self_;
  NodeId canonical_;
};

// A forwarding MessageSink that shows every outgoing message to a MessageLog before passing it on.
class LoggedSink final : public MessageSink {
 public:
  // Both must outlive the sink.
  LoggedSink(MessageSink& next, MessageLog& log) : next_(next), log_(log) {}
  void send(NodeId to, Message message, std::uint64_t lamport) override {
    log_.sent(to, message);
    next_.send(to, std::move(message), lamport);
  }

 private:
  MessageSink& next_;
  MessageLog& log_;
};

}  // namespace edgecache::net
