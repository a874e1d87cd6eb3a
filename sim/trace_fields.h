#pragma once
// How messages appear in the trace: each kind's identifying fields, never its bytes.

#include "core/messages.h"
#include "sim/trace/trace.h"
#include "sim/world/world.h"

namespace edgecache::sim {

void add_message_fields(Trace::Line& line, const Message& message, const World& world);

}  // namespace edgecache::sim
