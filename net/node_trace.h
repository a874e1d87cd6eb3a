#pragma once
// The daemons' side of node traces. The writer and its format live in sim/trace/node_trace_writer.h, shared
// with the simulator's readers; here is the wall clock that stamps its lines (the simulator reads no clock,
// so the clock stays on this side).

#include <cstdint>

#include "sim/trace/node_trace_writer.h"

namespace edgecache::net {

// Microseconds since the Unix epoch, now.
std::int64_t wall_clock_us();

}  // namespace edgecache::net
