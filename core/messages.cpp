#include "core/messages.h"

namespace edgecache {

std::string_view message_kind_name(MessageKind kind) {
  switch (kind) {
    case MessageKind::get_image:
      return "get_image";
    case MessageKind::image_reply:
      return "image_reply";
    case MessageKind::get_size:
      return "get_size";
    case MessageKind::size_reply:
      return "size_reply";
    case MessageKind::election:
      return "election";
    case MessageKind::answer:
      return "answer";
    case MessageKind::coordinator:
      return "coordinator";
    case MessageKind::heartbeat:
      return "heartbeat";
    case MessageKind::heartbeat_ack:
      return "heartbeat_ack";
    case MessageKind::inventory_request:
      return "inventory_request";
    case MessageKind::holding:
      return "holding";
    case MessageKind::pull_order:
      return "pull_order";
  }
  // Only a cast in our own code can produce another value (the codec rejects unknown kinds), so name it
  // rather than crash whoever is printing.
  return "invalid_kind";
}

}  // namespace edgecache
