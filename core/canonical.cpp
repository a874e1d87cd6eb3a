#include "core/canonical.h"

namespace edgecache {

Canonical::Canonical(Env& env, const Catalog& catalog) : env_(env), catalog_(catalog) {}

// The canonical keeps no state beyond a counter, so there is nothing to recover after a restart.
void Canonical::on_start() {}

void Canonical::on_message(NodeId from, const Message& message) {
  if (const auto* request = std::get_if<GetImage>(&message)) {
    // cache_only matters only to edges; the canonical's catalog is the origin, never a cache.
    Body body = catalog_.body(request->image_id);
    if (!body) {
      env_.send(from, ImageReply{request->request_id, request->image_id, Status::not_found, 0, nullptr});
      return;
    }
    ++images_served_;
    const std::uint64_t checksum = body->checksum();
    env_.send(from, ImageReply{request->request_id, request->image_id, Status::ok, checksum, std::move(body)});
    return;
  }
  if (const auto* request = std::get_if<GetSize>(&message)) {
    const std::optional<ImageInfo> info = catalog_.info(request->image_id);
    if (!info) {
      env_.send(from, SizeReply{request->request_id, request->image_id, Status::not_found, 0});
      return;
    }
    env_.send(from, SizeReply{request->request_id, request->image_id, Status::ok, info->size_bytes});
  }
  // Every other message belongs to the edges' protocols; a canonical that received one was misaddressed and
  // has nothing useful to say back.
}

// The canonical never starts a timer, so any that fires belongs to nobody.
void Canonical::on_timer(const Timer&) {}

}  // namespace edgecache
