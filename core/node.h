#pragma once
// A node is an event-driven state machine. The world (simulator or real event loop) calls these methods one
// at a time, never concurrently, and the node acts only through the Env it was constructed with.

#include "core/env.h"
#include "core/messages.h"

namespace edgecache {

class Node {
 public:
  virtual ~Node() = default;

  // Called once, first, when the node boots (at start and after every restart).
  virtual void on_start() = 0;

  // Called when a message from node `from` arrives.
  virtual void on_message(NodeId from, const Message& message) = 0;

  // Called when a timer started through the Env fires.
  virtual void on_timer(const Timer& timer) = 0;
};

}  // namespace edgecache
