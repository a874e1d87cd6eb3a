#pragma once
// Local HTTP requests speak to the edge node as clients. Each request gets a synthetic NodeId from the range
// reserved for local clients (first_local_client_id and up); the request enters the node as a message from
// that id, and the node's reply, addressed to that id, comes back here instead of going to the network.
// Every request is answered exactly once: with the node's reply, or with nothing after the deadline.

#include <cstdint>
#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/messages.h"
#include "net/real_env.h"

namespace edgecache::net {

class PeerLinks;

class LocalClients {
 public:
  // Called exactly once per request: with the node's reply, or nothing if the deadline passed first. It runs
  // synchronously inside deliver() (so inside the node's event, with the node on the call stack) or inside
  // the deadline timer's handler, so it must not call into the node; anything more than building an answer,
  // such as resuming a connection, it posts.
  using ReplyHandler = std::function<void(std::optional<Message> reply)>;

  // `context` and `env` must outlive this object. `deadline_ms` bounds every request; at most
  // `max_pending` requests are outstanding (more are answered with nothing at once).
  LocalClients(boost::asio::io_context& context, RealEnv& env, std::int64_t deadline_ms, std::size_t max_pending);

  // Sends `request` to the node; its request_id is assigned here. REQUIRES: a GetImage or a GetSize.
  void submit(Message request, ReplyHandler on_reply);

  // Returns whether `id` lies in the local client range.
  static bool owns(NodeId id);

  // Takes the node's reply to local client `to`. A reply for nobody (late, after the deadline) is dropped.
  void deliver(NodeId to, Message reply);

  std::size_t pending_count() const { return pending_.size(); }

 private:
  struct Pending {
    RequestId request_id = 0;
    ReplyHandler on_reply;
    std::chrono::steady_clock::time_point deadline;
    std::list<NodeId>::iterator in_order;  // This request's place in order_.
  };

  NodeId allocate_id();
  void finish(NodeId id, std::optional<Message> reply);
  // Arms deadline_timer_ for the oldest pending request, if any and if it is not armed already.
  void arm_deadline_timer();
  // Answers, with nothing, every pending request whose deadline has passed.
  void expire_due();

  boost::asio::io_context& context_;
  RealEnv& env_;
  std::int64_t deadline_ms_;
  std::size_t max_pending_;
  std::uint32_t next_offset_ = 0;
  RequestId next_request_id_ = 1;
  std::map<NodeId, Pending> pending_;
  // Every request gets the same deadline_ms, so submission order is deadline order, and one timer set for
  // the oldest request serves them all. A timer per request cost an allocation, a timer-queue insertion and
  // a cancellation (whose aborted completion still ran) on every cache hit. The timer is never cancelled:
  // when it fires for a request already answered, it is simply armed again for the new oldest.
  std::list<NodeId> order_;
  boost::asio::steady_timer deadline_timer_;
  bool deadline_timer_armed_ = false;
};

// Routes a node's outgoing messages: replies to local clients go back to LocalClients, the rest to peers.
class MessageRouter final : public MessageSink {
 public:
  // Both must outlive the router. `local` may be null (the canonical has no local clients).
  MessageRouter(PeerLinks& links, LocalClients* local) : links_(links), local_(local) {}
  void set_local(LocalClients* local) { local_ = local; }
  void send(NodeId to, Message message, std::uint64_t lamport) override;

 private:
  PeerLinks& links_;
  LocalClients* local_;
};

}  // namespace edgecache::net
