#include "core/client.h"

#include <algorithm>
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
    : env_(env),
      config_(std::move(config)),
      on_result_(std::move(on_result)),
      health_(EdgeHealthPolicy{ms_to_us(config_.ejection_ms), ms_to_us(config_.max_ejection_ms)}),
      // Before the first answer, "in good time" means within the attempt timeout.
      latency_(ms_to_us(config_.attempt_timeout_ms)) {
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
  if (!config_.failover) {
    // The original client knew one edge per image and gave up when it failed.
    pending.order.resize(1);
  } else if (config_.passive_health) {
    // The request's own edge, if ejected and due, gets a copy as a probe; the request itself goes to the
    // edges still in good standing first.
    if (health_.take_probe(pending.order.front(), env_.now_us())) send_probe(pending.order.front(), request);
    health_.order(pending.order);
  }
  pending.started_us = env_.now_us();
  pending.deadline_timer =
      env_.start_timer(ms_to_us(config_.request_deadline_ms), Timer{TimerKind::request_deadline, request.id});
  Pending* stored = pending_.try_emplace(request.id, std::move(pending)).first;
  try_next_edge(*stored);
}

// Pending requests are not persisted, so a restarted client starts with none and nothing to resume.
void Client::on_start() {}

Client::Answer Client::read_answer(const ClientRequest& request, const Message& message) {
  Answer answer;
  if (const auto* image_reply = std::get_if<ImageReply>(&message)) {
    // An edge that answers a different question than the one asked is as broken as one with a bad body.
    if (request.kind != RequestKind::get_image || image_reply->image_id != request.image_id) return answer;
    if (image_reply->status == Status::not_found) {
      answer.outcome = Outcome::not_found;
    } else if (image_reply->status == Status::unavailable) {
      answer.declined = true;
    } else if (image_reply->status == Status::ok && image_reply->body &&
               image_reply->body->checksum() == image_reply->checksum) {
      // The body must match the edge's own claim; a mismatch means the bytes were damaged on the way or at
      // the edge, and another edge may hold a good copy.
      answer.outcome = Outcome::ok;
      answer.body = image_reply->body;
      answer.size_bytes = image_reply->body->size();
    }
  } else if (const auto* size_reply = std::get_if<SizeReply>(&message)) {
    if (request.kind != RequestKind::get_size || size_reply->image_id != request.image_id) return answer;
    if (size_reply->status == Status::not_found) {
      answer.outcome = Outcome::not_found;
    } else if (size_reply->status == Status::unavailable) {
      answer.declined = true;
    } else if (size_reply->status == Status::ok) {
      answer.outcome = Outcome::ok;
      answer.size_bytes = size_reply->size_bytes;
    }
  }
  return answer;
}

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

  // Wire ids are only unique per client, not per edge, so a reply counts only from the node that was asked.
  if (const Probe* probe = probes_.find(wire_id)) {
    if (probe->edge == from) on_probe_reply(wire_id, message);
    return;
  }
  // Only an attempt in flight may decide a request. A reply for an earlier attempt (a slow edge answering
  // after the client moved on) or a duplicate of one already handled is unknown here, hence ignored.
  const RequestId* mapping = wire_to_request_.find(wire_id);
  if (mapping == nullptr) return;
  Pending* found = pending_.find(*mapping);
  if (found == nullptr) return;
  Pending& pending = *found;
  std::size_t slot = 0;
  while (slot < max_attempts_in_flight &&
         (pending.in_flight[slot].wire_id != wire_id || pending.in_flight[slot].edge != from)) {
    ++slot;
  }
  if (slot == max_attempts_in_flight) return;

  Answer answer = read_answer(pending.request, message);
  if (answer.outcome == Outcome::unavailable) {
    const AttemptKind kind = pending.in_flight[slot].kind;
    if (kind != AttemptKind::full && answer.declined) {
      // No cached copy there. That says nothing against the edge's health (a declined check even shows the
      // edge alive), and a hedge's edge keeps its turn for a full attempt.
      const NodeId edge = pending.in_flight[slot].edge;
      drop_attempt(pending, slot);
      if (attempts_in_flight(pending) == 0) {
        try_next_edge(pending);
        return;
      }
      if (kind == AttemptKind::check) return;
      // The full attempt is on its own again. Its edge is either busy fetching from the origin or gone; a
      // check tells which, and until then the request is stalled.
      if (stalled_.size() > 2 * pending_.size()) {
        // Edge 0 names no node, so this scan only drops the entries of requests that moved on, which keeps
        // the list within twice the requests pending.
        release_stalled(0);
      }
      stalled_.push_back(pending.request.id);
      if (pending.request.kind == RequestKind::get_image && config_.passive_health) {
        std::size_t full = 0;
        while (pending.in_flight[full].wire_id == 0) ++full;
        if (pending.in_flight[full].edge != edge) {
          start_attempt(pending, pending.in_flight[full].edge, AttemptKind::check, hedge_delay_us());
        }
      }
      return;
    }
    // Unavailable, corrupt or mismatched: the next edge in the route may still succeed.
    attempt_failed(pending, slot);
    return;
  }
  const TimeUs now = env_.now_us();
  latency_.add(now - pending.in_flight[slot].sent_us);
  // An edge still silent when another answered the same request from scratch is slower than it should be.
  // (A check answered with the bytes is the same edge answering twice; nobody was beaten.)
  std::vector<NodeId> beaten;
  if (config_.passive_health) {
    health_.succeeded(from);
    for (std::size_t other = 0; other < max_attempts_in_flight; ++other) {
      const Attempt& attempt = pending.in_flight[other];
      if (other != slot && attempt.wire_id != 0 && attempt.edge != from) beaten.push_back(attempt.edge);
    }
  }
  finish(pending.request.id, answer.outcome, std::move(answer.body), answer.size_bytes, from);
  // `pending` is gone now, so releasing other requests (which may finish them, and so move table entries)
  // is safe.
  for (const NodeId edge : beaten) {
    health_.failed(edge, now);
    release_stalled(edge);
  }
}

void Client::on_timer(const Timer& timer) {
  // A timer for a request or probe that has finished is left over from a race with its reply; it means
  // nothing now.
  switch (timer.kind) {
    case TimerKind::attempt_timeout: {
      const RequestId* mapping = wire_to_request_.find(timer.key);
      if (mapping == nullptr) return;
      Pending* found = pending_.find(*mapping);
      if (found == nullptr) return;
      for (std::size_t slot = 0; slot < max_attempts_in_flight; ++slot) {
        if (found->in_flight[slot].wire_id != timer.key) continue;
        found->in_flight[slot].timer = 0;  // It fired, so there is nothing left to cancel.
        attempt_failed(*found, slot);
        return;
      }
      return;
    }
    case TimerKind::hedge: {
      Pending* found = pending_.find(timer.key);
      if (found == nullptr) return;
      found->hedge_timer = 0;
      if (attempts_in_flight(*found) == 1) send_hedge(*found);
      return;
    }
    case TimerKind::request_deadline: {
      Pending* found = pending_.find(timer.key);
      if (found == nullptr) return;
      found->deadline_timer = 0;
      finish(found->request.id, Outcome::unavailable, nullptr, 0, 0);
      return;
    }
    case TimerKind::probe_timeout: {
      std::optional<Probe> probe = probes_.take(timer.key);
      if (probe) {
        health_.failed(probe->edge, env_.now_us());
        release_stalled(probe->edge);
      }
      return;
    }
    default:
      // Edges' timer kinds never belong to a client.
      return;
  }
}

std::size_t Client::attempts_in_flight(const Pending& pending) {
  std::size_t count = 0;
  for (const Attempt& attempt : pending.in_flight) count += attempt.wire_id != 0 ? 1 : 0;
  return count;
}

void Client::send_request(NodeId edge, RequestId wire_id, const ClientRequest& request, bool cache_only) {
  switch (request.kind) {
    case RequestKind::get_image:
      env_.send(edge, GetImage{wire_id, request.image_id, cache_only});
      break;
    case RequestKind::get_size:
      env_.send(edge, GetSize{wire_id, request.image_id});
      break;
  }
}

void Client::try_next_edge(Pending& pending) {
  if (pending.next_edge >= pending.order.size()) {
    // With another attempt still out there is still hope; with none, the request has run out of edges.
    if (attempts_in_flight(pending) == 0) finish(pending.request.id, Outcome::unavailable, nullptr, 0, 0);
    return;
  }
  const NodeId edge = pending.order[pending.next_edge];
  ++pending.next_edge;
  start_attempt(pending, edge, AttemptKind::full, ms_to_us(config_.attempt_timeout_ms));
  arm_hedge(pending);
}

Client::Attempt& Client::start_attempt(Pending& pending, NodeId edge, AttemptKind kind, TimeUs timeout_us) {
  std::size_t slot = 0;
  while (pending.in_flight[slot].wire_id != 0) {
    ++slot;
    EC_ASSERT(slot < max_attempts_in_flight, "a new attempt needs a free slot");
  }
  Attempt& attempt = pending.in_flight[slot];
  attempt.edge = edge;
  attempt.kind = kind;
  ++pending.attempts;
  attempt.wire_id = next_wire_id_;
  ++next_wire_id_;
  attempt.sent_us = env_.now_us();
  wire_to_request_.try_emplace(attempt.wire_id, pending.request.id);
  send_request(attempt.edge, attempt.wire_id, pending.request, kind != AttemptKind::full);
  attempt.timer = env_.start_timer(timeout_us, Timer{TimerKind::attempt_timeout, attempt.wire_id});
  return attempt;
}

TimeUs Client::hedge_delay_us() const { return std::max(latency_.bound_us(), min_hedge_delay_us); }

void Client::send_hedge(Pending& pending) {
  if (pending.next_edge >= pending.order.size()) return;
  start_attempt(pending, pending.order[pending.next_edge], AttemptKind::hedge, ms_to_us(config_.attempt_timeout_ms));
}

void Client::arm_hedge(Pending& pending) {
  if (pending.hedge_timer != 0) {
    env_.cancel_timer(pending.hedge_timer);
    pending.hedge_timer = 0;
  }
  // A client that has seen no answer yet cannot tell slow from usual: at the start of a run every edge is
  // fetching from the origin, and hedging then would only add load. It hedges once it knows better.
  if (!config_.hedging || !config_.failover || !latency_.has_samples() || attempts_in_flight(pending) != 1 ||
      pending.next_edge >= pending.order.size()) {
    return;
  }
  // A hedge that would wait as long as the attempt timeout adds nothing: the timeout fails over then anyway.
  const TimeUs delay_us = hedge_delay_us();
  if (delay_us >= ms_to_us(config_.attempt_timeout_ms)) return;
  pending.hedge_timer = env_.start_timer(delay_us, Timer{TimerKind::hedge, pending.request.id});
}

void Client::drop_attempt(Pending& pending, std::size_t slot) {
  Attempt& attempt = pending.in_flight[slot];
  if (attempt.timer != 0) env_.cancel_timer(attempt.timer);
  // Forgetting the attempt's wire id makes any late reply to it unknown, hence ignored.
  wire_to_request_.erase(attempt.wire_id);
  attempt = Attempt{};
}

void Client::attempt_failed(Pending& pending, std::size_t slot) {
  const Attempt failed = pending.in_flight[slot];
  drop_attempt(pending, slot);
  const bool judged = config_.passive_health && config_.failover;
  if (judged) health_.failed(failed.edge, env_.now_us());
  // A hedge that failed outright used up its edge's turn: the edge is not worth a full attempt now.
  if (failed.kind == AttemptKind::hedge && pending.next_edge < pending.order.size() &&
      pending.order[pending.next_edge] == failed.edge) {
    ++pending.next_edge;
  }
  // While another attempt is still out, waiting for it costs nothing; otherwise the next edge gets its turn.
  if (attempts_in_flight(pending) == 0) try_next_edge(pending);
  // Last, since releasing other requests may finish them and move `pending` within its table.
  if (judged) release_stalled(failed.edge);
}

void Client::release_stalled(NodeId edge) {
  // The scan works on its own copy: a request failing over may finish, and a result handler may submit.
  std::vector<RequestId> stalled;
  stalled.swap(stalled_);
  std::vector<RequestId> still_stalled;
  for (const RequestId id : stalled) {
    Pending* pending = pending_.find(id);
    if (pending == nullptr) continue;
    // Still stalled means one full attempt out, with at most a check beside it.
    std::size_t full_attempts = 0;
    std::size_t full = 0;
    bool hedged = false;
    for (std::size_t slot = 0; slot < max_attempts_in_flight; ++slot) {
      const Attempt& attempt = pending->in_flight[slot];
      if (attempt.wire_id == 0) continue;
      if (attempt.kind == AttemptKind::full) {
        ++full_attempts;
        full = slot;
      }
      hedged = hedged || attempt.kind == AttemptKind::hedge;
    }
    if (full_attempts != 1 || hedged) continue;
    if (pending->in_flight[full].edge != edge) {
      still_stalled.push_back(id);
      continue;
    }
    // The edge was judged already; failing over here must not judge it a second time.
    for (std::size_t slot = 0; slot < max_attempts_in_flight; ++slot) {
      if (pending->in_flight[slot].wire_id != 0) drop_attempt(*pending, slot);
    }
    try_next_edge(*pending);
  }
  // Requests that stalled while the scan ran were added to the emptied stalled_; keep both.
  still_stalled.insert(still_stalled.end(), stalled_.begin(), stalled_.end());
  stalled_.swap(still_stalled);
}

void Client::send_probe(NodeId edge, const ClientRequest& request) {
  const RequestId wire_id = next_wire_id_;
  ++next_wire_id_;
  Probe probe;
  probe.edge = edge;
  probe.request = request;
  probe.sent_us = env_.now_us();
  probe.timer = env_.start_timer(ms_to_us(config_.attempt_timeout_ms), Timer{TimerKind::probe_timeout, wire_id});
  probes_.try_emplace(wire_id, std::move(probe));
  send_request(edge, wire_id, request, true);
}

void Client::on_probe_reply(RequestId wire_id, const Message& message) {
  std::optional<Probe> probe = probes_.take(wire_id);
  EC_ASSERT(probe.has_value(), "a probe reply needs its probe");
  env_.cancel_timer(probe->timer);
  const TimeUs now = env_.now_us();
  // An edge that answers, but later than a request would have been hedged, is not back yet: sending it
  // requests again would only buy the hedges' extra latency.
  const bool in_time = now - probe->sent_us <= hedge_delay_us();
  // A cached-copy question declined ("not cached here") still shows a live edge; a size it cannot give
  // does not, since a size needs no cache.
  const Answer answer = read_answer(probe->request, message);
  const bool answered = answer.outcome != Outcome::unavailable ||
                        (answer.declined && probe->request.kind == RequestKind::get_image);
  if (answered && in_time) {
    health_.succeeded(probe->edge);
  } else {
    health_.failed(probe->edge, now);
  }
}

void Client::finish(RequestId id, Outcome outcome, Body body, std::uint64_t size_bytes, NodeId served_by) {
  // The request leaves the table before the handler runs, so a handler that submits again (even with the
  // same id) sees a consistent client.
  std::optional<Pending> taken = pending_.take(id);
  EC_ASSERT(taken.has_value(), "finish called for a request that is not pending");
  const Pending& pending = *taken;
  for (const Attempt& attempt : pending.in_flight) {
    if (attempt.wire_id == 0) continue;
    if (attempt.timer != 0) env_.cancel_timer(attempt.timer);
    wire_to_request_.erase(attempt.wire_id);
  }
  if (pending.hedge_timer != 0) env_.cancel_timer(pending.hedge_timer);
  if (pending.deadline_timer != 0) env_.cancel_timer(pending.deadline_timer);

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
