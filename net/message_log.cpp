#include "net/message_log.h"

#include "net/local_clients.h"

namespace edgecache::net {

namespace {

std::uint64_t body_bytes(const Body& body) { return body ? body->size() : 0; }

}  // namespace

MessageLog::MessageLog(Logger& logger, NodeId self, NodeId canonical)
    : logger_(logger), self_(self), canonical_(canonical) {}

void MessageLog::sent(NodeId to, const Message& message) {
  const bool to_client = LocalClients::owns(to);
  // A reply that failed, to a client of this edge: the request's outcome, whatever went wrong upstream.
  auto client_failure = [&](ImageId image_id, Status status) {
    if (status == Status::not_found) logger_.info("image_not_found", {{"image", image_id}});
    if (status == Status::unavailable) logger_.warn("image_unavailable", {{"image", image_id}});
  };
  if (const auto* get = std::get_if<GetImage>(&message)) {
    if (to == canonical_) logger_.info("origin_fetch", {{"image", get->image_id}});
    if (get->cache_only) logger_.debug("replication_pull", {{"image", get->image_id}, {"source", name_of(to)}});
  } else if (const auto* get_size = std::get_if<GetSize>(&message)) {
    if (to == canonical_) logger_.info("origin_size_query", {{"image", get_size->image_id}});
  } else if (const auto* order = std::get_if<PullOrder>(&message)) {
    logger_.debug("replication_order", {{"image", order->image_id}, {"to", name_of(to)}, {"source", name_of(order->source)}});
  } else if (const auto* reply = std::get_if<ImageReply>(&message)) {
    if (to_client) {
      client_failure(reply->image_id, reply->status);
    } else if (self_ == canonical_ && reply->status == Status::ok) {
      logger_.info("origin_served", {{"image", reply->image_id}, {"to", name_of(to)}, {"bytes", body_bytes(reply->body)}});
    } else if (self_ == canonical_ && reply->status == Status::not_found) {
      logger_.info("origin_not_found", {{"image", reply->image_id}, {"to", name_of(to)}});
    }
  } else if (const auto* size = std::get_if<SizeReply>(&message)) {
    if (to_client) {
      client_failure(size->image_id, size->status);
    } else if (self_ == canonical_ && size->status == Status::ok) {
      logger_.info("origin_size_served", {{"image", size->image_id}, {"to", name_of(to)}, {"bytes", size->size_bytes}});
    } else if (self_ == canonical_ && size->status == Status::not_found) {
      logger_.info("origin_not_found", {{"image", size->image_id}, {"to", name_of(to)}});
    }
  }
}

void MessageLog::received(NodeId from, const Message& message) {
  if (const auto* reply = std::get_if<ImageReply>(&message)) {
    if (from == canonical_) {
      if (reply->status == Status::ok) {
        logger_.info("origin_fetched", {{"image", reply->image_id}, {"bytes", body_bytes(reply->body)}});
      }
    } else if (reply->status == Status::ok) {
      // Edges ask each other only for replication pulls.
      logger_.info("replicated", {{"image", reply->image_id}, {"source", name_of(from)}, {"bytes", body_bytes(reply->body)}});
    } else {
      logger_.warn("replication_failed",
                   {{"image", reply->image_id}, {"source", name_of(from)}, {"status", status_name(reply->status)}});
    }
  } else if (const auto* size = std::get_if<SizeReply>(&message)) {
    if (from == canonical_ && size->status == Status::ok) {
      logger_.info("origin_size", {{"image", size->image_id}, {"bytes", size->size_bytes}});
    }
  }
}

}  // namespace edgecache::net
