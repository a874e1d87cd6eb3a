#include "sim/trace_fields.h"

#include "core/message_fields.h"

namespace edgecache::sim {

void add_message_fields(Trace::Line& line, const Message& message, const World& world) {
  edgecache::add_message_fields(line, message, [&](NodeId id) -> const std::string& { return world.name(id); });
}

}  // namespace edgecache::sim
