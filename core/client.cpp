#include "core/client.h"

#include <optional>

#include "core/assert.h"

namespace edgecache {

const char* request_kind_name(RequestKind kind) {
  switch (kind) {
    case RequestKind::get_image:
      return "get_image";
    case RequestKind::get_size:
      return "get_size";
  }
  // Only a bad cast in our own code reaches here; naming it keeps a trace readable while it is found.
  return "invalid_request_kind";
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::not_found:
      return "not_found";
    case Outcome::unavailable:
      return "unavailable";
    case Outcome::rejected:
      return "rejected";
  }
  return "invalid_outcome";
}

Client::Client(Env& env, ClientConfig config, ResultHandler on_result)
    : env_(env), config_(std::move(config)), on_result_(std::move(on_result)) {
  EC_ASSERT(!config_.edges.empty(), "a client needs at least one edge");
  EC_ASSERT(config_.attempt_timeout_ms > 0, "attempt_timeout_ms must be positive");
  EC_ASSERT(config_.request_deadline_ms > 0, "request_deadline_ms must be positive");
  EC_ASSERT(on_result_ != nullptr, "a client needs a result handler");
}

void Client::submit(const ClientRequest& request) {
  EC_ASSERT(!pending_.contains(request.id), "request id submitted while still pending");
  if (pending_.size() >= config_.max_pending_requests) {
    ClientResult result;
    result.id = request.id;
    result.kind = request.kind;
    result.image_id = request.image_id;
    result.outcome = Outcome::rejected;
    on_result_(result);
    return;
  }

  Pending pending;
  pending.request = request;
  pending.order = route(config_.routing, config_.edges, request.image_id);
  // The original client knew one edge per image and gave up when it failed.
  if (!config_.failover) pending.order.resize(1);
  pending.started_us = env_.now_us();
  pending.deadline_timer =
      env_.start_timer(ms_to_us(config_.request_deadline_ms), Timer{TimerKind::request_deadline, request.id});
  Pending* stored = pending_.try_emplace(request.id, std::move(pending)).first;
  try_next_edge(*stored);
}

// Pending requests are not persisted, so a restarted client starts with none and nothing to resume.
void Client::on_start() {}

void Client::on_message(NodeId from, const Message& message) {
  RequestId wire_id = 0;
  if (const auto* image_reply = std::get_if<ImageReply>(&message)) {
    wire_id = image_reply->request_id;
  } else if (const auto* size_reply = std::get_if<SizeReply>(&message)) {
    wire_id = size_reply->request_id;
  } else {
    // Clients take part in no other protocol; anything else was misaddressed.
    return;
  }

  // Only the attempt in flight may decide a request. A reply for an earlier attempt (a slow edge answering
  // after the client moved on) or a duplicate of one already handled is ignored, and so is a reply from a
  // node other than the one asked, since wire ids are only unique per client and not per edge.
  const RequestId* mapping = wire_to_request_.find(wire_id);
  if (mapping == nullptr) return;
  Pending* found = pending_.find(*mapping);
  if (found == nullptr) return;
  Pending& pending = *found;
  if (pending.wire_id != wire_id || pending.current_edge != from) return;

  const RequestId id = pending.request.id;
  const ImageId image_id = pending.request.image_id;
  if (const auto* image_reply = std::get_if<ImageReply>(&message)) {
    // An edge that answers a different question than the one asked is as broken as one with a bad body.
    const bool matches = pending.request.kind == RequestKind::get_image && image_reply->image_id == image_id;
    if (matches && image_reply->status == Status::ok) {
      // The body must match the edge's own claim; a mismatch means the bytes were damaged on the way or at
      // the edge, and another edge may hold a good copy.
      const Body& body = image_reply->body;
      if (body && body->checksum() == image_reply->checksum) {
        finish(id, Outcome::ok, body, body->size(), from);
        return;
      }
    } else if (matches && image_reply->status == Status::not_found) {
      finish(id, Outcome::not_found, nullptr, 0, from);
      return;
    }
  } else if (const auto* size_reply = std::get_if<SizeReply>(&message)) {
    const bool matches = pending.request.kind == RequestKind::get_size && size_reply->image_id == image_id;
    if (matches && size_reply->status == Status::ok) {
      finish(id, Outcome::ok, nullptr, size_reply->size_bytes, from);
      return;
    }
    if (matches && size_reply->status == Status::not_found) {
      finish(id, Outcome::not_found, nullptr, 0, from);
      return;
    }
  }
  // Unavailable, corrupt or mismatched: the next edge in the route may still succeed.
  try_next_edge(pending);
}

void Client::on_timer(const Timer& timer) {
  // A timer for a request that has finished is left over from a race with its reply; it means nothing now.
  Pending* found = pending_.find(timer.key);
  if (found == nullptr) return;
  Pending& pending = *found;
  switch (timer.kind) {
    case TimerKind::attempt_timeout:
      pending.attempt_timer = 0;  // It fired, so there is nothing left to cancel.
      try_next_edge(pending);
      return;
    case TimerKind::request_deadline:
      pending.deadline_timer = 0;
      finish(pending.request.id, Outcome::unavailable, nullptr, 0, 0);
      return;
    default:
      // Edges' timer kinds never belong to a client.
      return;
  }
}

void Client::try_next_edge(Pending& pending) {
  if (pending.attempt_timer != 0) {
    env_.cancel_timer(pending.attempt_timer);
    pending.attempt_timer = 0;
  }
  // Forgetting the previous attempt's wire id makes any late reply to it unknown, hence ignored.
  wire_to_request_.erase(pending.wire_id);
  pending.wire_id = 0;
  if (pending.next_edge >= pending.order.size()) {
    finish(pending.request.id, Outcome::unavailable, nullptr, 0, 0);
    return;
  }

  const NodeId edge = pending.order[pending.next_edge];
  ++pending.next_edge;
  ++pending.attempts;
  pending.current_edge = edge;
  pending.wire_id = next_wire_id_;
  ++next_wire_id_;
  wire_to_request_.try_emplace(pending.wire_id, pending.request.id);
  switch (pending.request.kind) {
    case RequestKind::get_image:
      env_.send(edge, GetImage{pending.wire_id, pending.request.image_id, false});
      break;
    case RequestKind::get_size:
      env_.send(edge, GetSize{pending.wire_id, pending.request.image_id});
      break;
  }
  pending.attempt_timer =
      env_.start_timer(ms_to_us(config_.attempt_timeout_ms), Timer{TimerKind::attempt_timeout, pending.request.id});
}

void Client::finish(RequestId id, Outcome outcome, Body body, std::uint64_t size_bytes, NodeId served_by) {
  // The request leaves the table before the handler runs, so a handler that submits again (even with the
  // same id) sees a consistent client.
  std::optional<Pending> taken = pending_.take(id);
  EC_ASSERT(taken.has_value(), "finish called for a request that is not pending");
  const Pending& pending = *taken;
  if (pending.attempt_timer != 0) env_.cancel_timer(pending.attempt_timer);
  if (pending.deadline_timer != 0) env_.cancel_timer(pending.deadline_timer);
  wire_to_request_.erase(pending.wire_id);

  ClientResult result;
  result.id = id;
  result.kind = pending.request.kind;
  result.image_id = pending.request.image_id;
  result.outcome = outcome;
  result.body = std::move(body);
  result.size_bytes = size_bytes;
  result.served_by = served_by;
  result.attempts = pending.attempts;
  result.latency_us = env_.now_us() - pending.started_us;
  on_result_(result);
}

}  // namespace edgecache
