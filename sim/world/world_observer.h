#pragma once
// What the world tells those who watch it (the checkers, the trace writer, tests): every send and its fate,
// every delivery, drop, timer and host event. A watcher needs only this header, not the world itself.

#include <cstdint>

#include "core/env.h"
#include "core/messages.h"
#include "core/types.h"

namespace edgecache::sim {

// What happened to a message at send time.
enum class SendFate : std::uint8_t {
  scheduled,    // On its way; delivered later unless the destination is down or cut off by then.
  lost,         // Dropped by the link's loss probability.
  partitioned,  // Dropped: the link is cut or the destination is unknown.
  duplicated,   // On its way twice.
};
// Why a scheduled message was not delivered.
enum class DropReason : std::uint8_t {
  destination_down,  // Crashed, or restarted since the message was sent.
  partitioned,       // The link was cut while the message was in flight.
};
enum class HostEvent : std::uint8_t { started, crashed, restarted, paused, resumed };

const char* send_fate_name(SendFate fate);
const char* drop_reason_name(DropReason reason);
const char* host_event_name(HostEvent event);

// Sees everything the world does. All times are global simulated time. Default methods do nothing.
class WorldObserver {
 public:
  virtual ~WorldObserver() = default;
  virtual void on_send(TimeUs /*now*/, NodeId /*from*/, NodeId /*to*/, const Message& /*message*/, SendFate /*fate*/) {}
  // Called just before the destination's on_message.
  virtual void on_deliver(TimeUs /*now*/, NodeId /*from*/, NodeId /*to*/, const Message& /*message*/) {}
  virtual void on_drop(TimeUs /*now*/, NodeId /*from*/, NodeId /*to*/, const Message& /*message*/, DropReason /*reason*/) {}
  // Called just before the node's on_timer.
  virtual void on_timer(TimeUs /*now*/, NodeId /*node*/, const Timer& /*timer*/) {}
  virtual void on_host_event(TimeUs /*now*/, NodeId /*node*/, HostEvent /*event*/) {}
  // Called after every event the queue runs (a delivery, a timer, a scheduled action, a host event).
  virtual void after_event(TimeUs /*now*/) {}
};

}  // namespace edgecache::sim
