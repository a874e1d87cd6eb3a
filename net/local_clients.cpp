#include "net/local_clients.h"

#include <boost/asio/post.hpp>

#include "core/assert.h"
#include "net/limits.h"
#include "net/peer_links.h"

namespace edgecache::net {

namespace asio = boost::asio;

LocalClients::LocalClients(asio::io_context& context, RealEnv& env, std::int64_t deadline_ms, std::size_t max_pending)
    : context_(context), env_(env), deadline_ms_(deadline_ms), max_pending_(max_pending), deadline_timer_(context) {}

bool LocalClients::owns(NodeId id) {
  return id >= first_local_client_id && id - first_local_client_id < local_client_id_count;
}

NodeId LocalClients::allocate_id() {
  // Ids cycle through the range; with at most max_pending outstanding, a free one is always near.
  while (true) {
    const NodeId id = first_local_client_id + next_offset_;
    next_offset_ = (next_offset_ + 1) % local_client_id_count;
    if (pending_.count(id) == 0) return id;
  }
}

void LocalClients::submit(Message request, ReplyHandler on_reply) {
  EC_ASSERT(std::holds_alternative<GetImage>(request) || std::holds_alternative<GetSize>(request),
            "local clients send only GetImage and GetSize");
  if (pending_.size() >= max_pending_) {
    asio::post(context_, [on_reply = std::move(on_reply)] { on_reply(std::nullopt); });
    return;
  }
  const NodeId id = allocate_id();
  const RequestId request_id = next_request_id_++;
  std::visit(
      [&](auto& body) {
        if constexpr (requires { body.request_id; }) body.request_id = request_id;
      },
      request);
  Pending& pending = pending_[id];
  pending.request_id = request_id;
  pending.on_reply = std::move(on_reply);
  pending.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms_);
  pending.in_order = order_.insert(order_.end(), id);
  arm_deadline_timer();
  env_.deliver(id, std::move(request));
}

void LocalClients::arm_deadline_timer() {
  if (deadline_timer_armed_ || order_.empty()) return;
  deadline_timer_armed_ = true;
  deadline_timer_.expires_at(pending_.at(order_.front()).deadline);
  deadline_timer_.async_wait([this](const boost::system::error_code& error) {
    // An error means the timer was destroyed with this object, which must not be touched then.
    if (error) return;
    deadline_timer_armed_ = false;
    expire_due();
    arm_deadline_timer();
  });
}

void LocalClients::expire_due() {
  const auto now = std::chrono::steady_clock::now();
  while (!order_.empty() && pending_.at(order_.front()).deadline <= now) finish(order_.front(), std::nullopt);
}

void LocalClients::deliver(NodeId to, Message reply) {
  auto found = pending_.find(to);
  if (found == pending_.end()) return;
  RequestId reply_id = 0;
  std::visit(
      [&](const auto& body) {
        if constexpr (requires { body.request_id; }) reply_id = body.request_id;
      },
      reply);
  if (reply_id != found->second.request_id) return;
  finish(to, std::move(reply));
}

void LocalClients::finish(NodeId id, std::optional<Message> reply) {
  // The request leaves the books before its handler runs, so a handler that submits again finds them
  // consistent. The handler runs here, without a post of its own: the sessions it answers post to themselves
  // anyway (see ReplyHandler), and a second post cost a trip through the scheduler on every hit.
  auto node = pending_.extract(id);
  order_.erase(node.mapped().in_order);
  node.mapped().on_reply(std::move(reply));
}

void MessageRouter::send(NodeId to, Message message, std::uint64_t lamport) {
  if (LocalClients::owns(to)) {
    if (local_ != nullptr) local_->deliver(to, std::move(message));
    return;
  }
  links_.send(to, message, lamport);
}

}  // namespace edgecache::net
