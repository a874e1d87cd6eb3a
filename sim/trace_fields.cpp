#include "sim/trace_fields.h"

#include <type_traits>

namespace edgecache::sim {

void add_message_fields(Trace::Line& line, const Message& message, const World& world) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, GetImage>) {
          line.field("req", m.request_id).field("image", m.image_id);
          if (m.cache_only) line.field("cache_only", true);
        } else if constexpr (std::is_same_v<T, ImageReply>) {
          line.field("req", m.request_id).field("image", m.image_id).field("status", status_name(m.status));
          if (m.body) line.field("bytes", std::uint64_t{m.body->size()});
        } else if constexpr (std::is_same_v<T, GetSize>) {
          line.field("req", m.request_id).field("image", m.image_id);
        } else if constexpr (std::is_same_v<T, SizeReply>) {
          line.field("req", m.request_id).field("image", m.image_id).field("status", status_name(m.status));
          if (m.status == Status::ok) line.field("size", m.size_bytes);
        } else if constexpr (std::is_same_v<T, Holding>) {
          line.field("epoch", m.epoch).field("complete", m.complete).field("from_origin", m.from_origin)
              .field("images", std::uint64_t{m.image_ids.size()});
          if (m.image_ids.size() == 1) line.field("image", m.image_ids.front());
        } else if constexpr (std::is_same_v<T, PullOrder>) {
          line.field("epoch", m.epoch).field("image", m.image_id).field("source", world.name(m.source));
        } else {
          line.field("epoch", m.epoch);
        }
      },
      message);
}

}  // namespace edgecache::sim
