// Edge: message dispatch, serving from the cache, and origin fetches with request coalescing.
// Election is in edge_election.cpp and replication in edge_replication.cpp.

#include "core/edge.h"

#include <algorithm>
#include <type_traits>

#include "core/assert.h"
#include "core/edge_config_fields.h"

namespace edgecache {

void EdgeCounters::add(const EdgeCounters& more) {
  hits += more.hits;
  misses += more.misses;
  coalesced += more.coalesced;
  origin_fetches += more.origin_fetches;
  size_queries += more.size_queries;
  checksum_failures += more.checksum_failures;
  evictions += more.evictions;
  replicas_received += more.replicas_received;
  pull_orders_sent += more.pull_orders_sent;
  elections_started += more.elections_started;
  times_elected += more.times_elected;
  epoch_jumps_refused += more.epoch_jumps_refused;
  unrequested_replies += more.unrequested_replies;
  orders_from_non_leader += more.orders_from_non_leader;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::follower: return "follower";
    case Role::candidate: return "candidate";
    case Role::leader: return "leader";
  }
  return "unknown";
}

const char* protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::standard: return "standard";
    case Protocol::classic: return "classic";
  }
  return "unknown";
}

Edge::Edge(Env& env, EdgeConfig config, LruCache& cache) : env_(env), config_(std::move(config)), cache_(cache) {
  std::sort(config_.edges.begin(), config_.edges.end());
  config_.edges.erase(std::unique(config_.edges.begin(), config_.edges.end()), config_.edges.end());
  EC_ASSERT(is_edge(env_.self()), "an edge must be listed in its own cluster");
  EC_ASSERT(!is_edge(config_.canonical), "the canonical cannot also be an edge");
  EC_ASSERT(config_.heartbeat_interval_ms > 0 && !edge_config_order_breach(config_),
            "the leader timeout must exceed the heartbeat interval");
}

void Edge::on_start() {
  // Every incarnation begins by asking who leads: Bully elects on start and restart.
  start_election();
}

void Edge::on_message(NodeId from, const Message& message) {
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        // An epoch far beyond any this edge knows is no later term but a broken or hostile peer's number, and
        // believing it would leave the edge waiting for a term no honest leader reaches. It is refused here,
        // before any handler raises the highest epoch seen. Every election and replication message carries an
        // epoch; requests and replies carry none.
        if constexpr (requires { body.epoch; }) {
          if (!epoch_jump_allowed(highest_epoch_seen_, body.epoch)) {
            ++counters_.epoch_jumps_refused;
            return;
          }
        }
        if constexpr (std::is_same_v<T, GetImage>) on_get_image(from, body);
        else if constexpr (std::is_same_v<T, GetSize>) on_get_size(from, body);
        else if constexpr (std::is_same_v<T, ImageReply>) on_image_reply(from, body);
        else if constexpr (std::is_same_v<T, SizeReply>) on_size_reply(from, body);
        else if constexpr (std::is_same_v<T, Election>) on_election(from, body);
        else if constexpr (std::is_same_v<T, Answer>) on_answer(from, body);
        else if constexpr (std::is_same_v<T, Coordinator>) on_coordinator(from, body);
        else if constexpr (std::is_same_v<T, Heartbeat>) on_heartbeat(from, body);
        else if constexpr (std::is_same_v<T, HeartbeatAck>) on_heartbeat_ack(from, body);
        else if constexpr (std::is_same_v<T, InventoryRequest>) on_inventory_request(from, body);
        else if constexpr (std::is_same_v<T, Holding>) on_holding(from, body);
        else if constexpr (std::is_same_v<T, PullOrder>) on_pull_order(from, body);
        else static_assert(sizeof(T) == 0, "every message kind needs a handler");
      },
      message);
}

void Edge::on_timer(const Timer& timer) {
  switch (timer.kind) {
    case TimerKind::origin_timeout:
      if (origin_fetches_.contains(timer.key)) finish_origin_fetch(timer.key, Status::unavailable, nullptr);
      return;
    case TimerKind::size_timeout:
      if (size_queries_.contains(timer.key)) finish_size_query(timer.key, Status::unavailable, 0);
      return;
    case TimerKind::pull_timeout:
      if (active_pulls_.contains(timer.key)) finish_pull(timer.key, nullptr);
      return;
    case TimerKind::answer_timeout:
      election_timer_ = 0;
      if (role_ == Role::candidate && !answered_) become_leader();
      return;
    case TimerKind::coordinator_timeout:
      election_timer_ = 0;
      if (role_ == Role::candidate) start_election();
      return;
    case TimerKind::leader_timeout:
      leader_timer_ = 0;
      if (role_ == Role::follower) start_election();
      return;
    case TimerKind::heartbeat:
      heartbeat_timer_ = 0;
      if (role_ == Role::leader) send_heartbeats();
      return;
    case TimerKind::anti_entropy:
      anti_entropy_timer_ = 0;
      if (role_ == Role::leader) {
        for (NodeId follower : live_followers()) env_.send(follower, InventoryRequest{epoch_});
        anti_entropy_timer_ = env_.start_timer(ms_to_us(config_.anti_entropy_interval_ms), {TimerKind::anti_entropy, 0});
      }
      return;
    case TimerKind::attempt_timeout:
    case TimerKind::request_deadline:
    case TimerKind::hedge:
    case TimerKind::probe_timeout:
      return;  // Client timers; an edge never starts them.
  }
}

EdgeStatus Edge::status() const {
  EdgeStatus status;
  status.id = env_.self();
  status.role = role_;
  status.leader = leader_;
  status.epoch = epoch_;
  status.cache_bytes = cache_.bytes_used();
  status.cache_budget_bytes = cache_.budget_bytes();
  status.cache_items = cache_.item_count();
  return status;
}

bool Edge::is_edge(NodeId node) const {
  return std::binary_search(config_.edges.begin(), config_.edges.end(), node);
}

void Edge::on_get_image(NodeId from, const GetImage& request) {
  if (Body body = cache_.get(request.image_id)) {
    ++counters_.hits;
    reply_image(from, request.request_id, request.image_id, Status::ok, body);
    return;
  }
  if (request.cache_only) {
    // A peer pulling a replica: we may have evicted it since the leader heard we hold it.
    reply_image(from, request.request_id, request.image_id, Status::unavailable, nullptr);
    return;
  }
  ++counters_.misses;
  start_origin_fetch(request.image_id, Waiter{from, request.request_id, false});
}

void Edge::on_get_size(NodeId from, const GetSize& request) {
  if (Body body = cache_.peek(request.image_id)) {
    ++counters_.hits;
    env_.send(from, SizeReply{request.request_id, request.image_id, Status::ok, body->size()});
    return;
  }
  if (const std::uint64_t* known = known_sizes_.find(request.image_id)) {
    ++counters_.hits;
    env_.send(from, SizeReply{request.request_id, request.image_id, Status::ok, *known});
    return;
  }
  ++counters_.misses;
  Waiter waiter{from, request.request_id, true};
  // A fetch of the whole image already in flight will tell us the size too.
  if (OriginFetch* fetch = origin_fetches_.find(request.image_id)) {
    join(*fetch, request.image_id, waiter);
    return;
  }
  if (OriginFetch* query = size_queries_.find(request.image_id)) {
    join(*query, request.image_id, waiter);
    return;
  }
  if (size_queries_.size() >= config_.max_origin_fetches) {
    refuse(request.image_id, waiter);
    return;
  }
  OriginFetch& created = size_queries_[request.image_id];
  created.request_id = next_request_id_++;
  created.waiters.push_back(waiter);
  created.timer = env_.start_timer(ms_to_us(config_.origin_timeout_ms), {TimerKind::size_timeout, request.image_id});
  origin_requests_[created.request_id] = request.image_id;
  ++counters_.size_queries;
  env_.send(config_.canonical, GetSize{created.request_id, request.image_id});
}

void Edge::start_origin_fetch(ImageId image_id, Waiter waiter) {
  if (OriginFetch* fetch = origin_fetches_.find(image_id)) {
    join(*fetch, image_id, waiter);
    return;
  }
  if (origin_fetches_.size() >= config_.max_origin_fetches) {
    refuse(image_id, waiter);
    return;
  }
  OriginFetch& fetch = origin_fetches_[image_id];
  fetch.request_id = next_request_id_++;
  fetch.waiters.push_back(waiter);
  fetch.timer = env_.start_timer(ms_to_us(config_.origin_timeout_ms), {TimerKind::origin_timeout, image_id});
  origin_requests_[fetch.request_id] = image_id;
  ++counters_.origin_fetches;
  env_.send(config_.canonical, GetImage{fetch.request_id, image_id, false});
}

void Edge::join(OriginFetch& fetch, ImageId image_id, const Waiter& waiter) {
  if (fetch.waiters.size() >= config_.max_waiters_per_image) {
    refuse(image_id, waiter);
    return;
  }
  ++counters_.coalesced;
  fetch.waiters.push_back(waiter);
}

void Edge::refuse(ImageId image_id, const Waiter& waiter) {
  if (waiter.wants_size) {
    env_.send(waiter.from, SizeReply{waiter.request_id, image_id, Status::unavailable, 0});
  } else {
    reply_image(waiter.from, waiter.request_id, image_id, Status::unavailable, nullptr);
  }
}

void Edge::on_image_reply(NodeId from, const ImageReply& reply) {
  // A reply is taken only from the node its request went to (the canonical for an origin fetch, the source
  // for a pull) while that request is outstanding. A body's checksum is its sender's own claim and proves
  // nothing about who sent it, so anything else (a late or duplicated reply, one from a peer nobody asked, a
  // forgery) is counted and dropped: never cached, never served.
  if (from != config_.canonical) {
    const ImageId* pulled = pull_requests_.find(reply.request_id);
    const Pull* pull = pulled != nullptr && *pulled == reply.image_id ? active_pulls_.find(reply.image_id) : nullptr;
    if (pull == nullptr || pull->source != from) {
      ++counters_.unrequested_replies;
      return;
    }
    finish_pull(reply.image_id, &reply);
    return;
  }
  if (outstanding_origin_request(origin_fetches_, reply.request_id, reply.image_id) == nullptr) {
    ++counters_.unrequested_replies;
    return;
  }

  Status status = reply.status;
  if (status == Status::ok && (!reply.body || reply.body->checksum() != reply.checksum)) {
    ++counters_.checksum_failures;
    status = Status::unavailable;
  }
  if (status != Status::ok) {
    finish_origin_fetch(reply.image_id, status, nullptr);
    return;
  }
  remember_size(reply.image_id, reply.body->size());
  bool stored = store(reply.image_id, reply.body, false);
  finish_origin_fetch(reply.image_id, Status::ok, reply.body);
  if (stored) announce({reply.image_id}, true);
}

void Edge::on_size_reply(NodeId from, const SizeReply& reply) {
  // Only the canonical is ever asked for a size, as on_image_reply explains.
  if (from != config_.canonical || outstanding_origin_request(size_queries_, reply.request_id, reply.image_id) == nullptr) {
    ++counters_.unrequested_replies;
    return;
  }
  if (reply.status == Status::ok) remember_size(reply.image_id, reply.size_bytes);
  finish_size_query(reply.image_id, reply.status, reply.size_bytes);
}

const Edge::OriginFetch* Edge::outstanding_origin_request(const IdMap<OriginFetch>& requests, RequestId request_id,
                                                           ImageId image_id) const {
  const ImageId* requested = origin_requests_.find(request_id);
  if (requested == nullptr || *requested != image_id) return nullptr;
  const OriginFetch* waiting = requests.find(image_id);
  return waiting != nullptr && waiting->request_id == request_id ? waiting : nullptr;
}

void Edge::finish_origin_fetch(ImageId image_id, Status status, const Body& body) {
  std::optional<OriginFetch> taken = origin_fetches_.take(image_id);
  EC_ASSERT(taken.has_value(), "finishing an origin fetch that is not in flight");
  const OriginFetch& fetch = *taken;
  env_.cancel_timer(fetch.timer);
  origin_requests_.erase(fetch.request_id);
  for (const Waiter& waiter : fetch.waiters) {
    if (waiter.wants_size) {
      env_.send(waiter.from, SizeReply{waiter.request_id, image_id, status, body ? body->size() : 0});
    } else {
      reply_image(waiter.from, waiter.request_id, image_id, status, body);
    }
  }
}

void Edge::finish_size_query(ImageId image_id, Status status, std::uint64_t size_bytes) {
  std::optional<OriginFetch> taken = size_queries_.take(image_id);
  EC_ASSERT(taken.has_value(), "finishing a size query that is not in flight");
  const OriginFetch& query = *taken;
  env_.cancel_timer(query.timer);
  origin_requests_.erase(query.request_id);
  for (const Waiter& waiter : query.waiters) {
    env_.send(waiter.from, SizeReply{waiter.request_id, image_id, status, status == Status::ok ? size_bytes : 0});
  }
}

void Edge::reply_image(NodeId to, RequestId request_id, ImageId image_id, Status status, const Body& body) {
  EC_ASSERT((status == Status::ok) == (body != nullptr), "an image reply carries a body iff it is ok");
  env_.send(to, ImageReply{request_id, image_id, status, body ? body->checksum() : 0, body});
}

void Edge::remember_size(ImageId image_id, std::uint64_t size_bytes) {
  // When the table is full new sizes are not remembered; the cache's own metadata still answers for
  // cached images, and a forgotten size costs one origin query.
  if (known_sizes_.size() < config_.max_known_sizes || known_sizes_.contains(image_id)) {
    known_sizes_[image_id] = size_bytes;
  }
}

bool Edge::store(ImageId image_id, const Body& body, bool is_replica) {
  if (is_replica && body->size() > cache_.budget_bytes() - cache_.bytes_used()) return false;
  LruCache::InsertResult result = cache_.insert(image_id, body);
  counters_.evictions += result.evicted.size();
  if (cache_listener_ != nullptr) {
    for (const ImageId evicted : result.evicted) cache_listener_->on_evicted(evicted);
    if (result.stored) cache_listener_->on_cached(image_id, body);
  }
  return result.stored;
}

}  // namespace edgecache
