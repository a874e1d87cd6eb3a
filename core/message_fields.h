#pragma once
// How a message appears in a trace line: its kind's identifying fields, never its bytes. Shared by the
// simulator's trace and the daemons' node traces, so the two formats cannot drift apart.
//
// `Line` needs field(key, std::uint64_t), field(key, bool) and field(key, std::string_view), each returning
// Line&; `name_of(NodeId)` returns the host name of a node id (a PullOrder names its source).

#include <string_view>
#include <type_traits>
#include <variant>

#include "core/messages.h"

namespace edgecache {

template <typename Line, typename NameOf>
void add_message_fields(Line& line, const Message& message, const NameOf& name_of) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, GetImage>) {
          line.field("req", std::uint64_t{m.request_id}).field("image", std::uint64_t{m.image_id});
          if (m.cache_only) line.field("cache_only", true);
        } else if constexpr (std::is_same_v<T, ImageReply>) {
          line.field("req", std::uint64_t{m.request_id}).field("image", std::uint64_t{m.image_id})
              .field("status", status_name(m.status));
          if (m.body) line.field("bytes", std::uint64_t{m.body->size()});
        } else if constexpr (std::is_same_v<T, GetSize>) {
          line.field("req", std::uint64_t{m.request_id}).field("image", std::uint64_t{m.image_id});
        } else if constexpr (std::is_same_v<T, SizeReply>) {
          line.field("req", std::uint64_t{m.request_id}).field("image", std::uint64_t{m.image_id})
              .field("status", status_name(m.status));
          if (m.status == Status::ok) line.field("size", std::uint64_t{m.size_bytes});
        } else if constexpr (std::is_same_v<T, Holding>) {
          line.field("epoch", std::uint64_t{m.epoch}).field("complete", m.complete).field("from_origin", m.from_origin)
              .field("images", std::uint64_t{m.image_ids.size()});
          if (m.image_ids.size() == 1) line.field("image", std::uint64_t{m.image_ids.front()});
        } else if constexpr (std::is_same_v<T, PullOrder>) {
          line.field("epoch", std::uint64_t{m.epoch}).field("image", std::uint64_t{m.image_id})
              .field("source", std::string_view(name_of(m.source)));
        } else {
          line.field("epoch", std::uint64_t{m.epoch});
        }
      },
      message);
}

}  // namespace edgecache
