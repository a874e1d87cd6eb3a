#pragma once
// An edge server: serves images from a byte-budget LRU cache, fetches misses from the canonical with one
// origin fetch per image however many requests wait, elects a leader with the Bully algorithm, and (as
// leader) sees that every live follower gets a copy of every newly cached image.
//
// The class is split across files by concern: edge.cpp (dispatch and serving), edge_election.cpp (Bully)
// and edge_replication.cpp (announcements, pull orders, reconciliation).

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "core/env.h"
#include "core/id_map.h"
#include "core/lru_cache.h"
#include "core/node.h"

namespace edgecache {

enum class Role : std::uint8_t { follower = 0, candidate = 1, leader = 2 };
const char* role_name(Role role);

// A replication pull that times out (a lost request or reply) is retried from the same source up to this
// many attempts in all; one refused by its source (evicted there) is not. Anti-entropy catches the rest.
constexpr std::uint32_t max_pull_attempts = 3;

// How far above the highest epoch an edge knows a peer's epoch may lie before the edge ignores the message.
// Epochs grow by one per election, so a real peer is ahead only by the elections this edge missed, and a
// restarted edge keeps no epoch and knows only 0: the bound must exceed any epoch a real cluster reaches. At
// one election every millisecond without pause, 2^32 takes 49 days; real clusters hold a few a day. Yet a
// peer needs 2^32 accepted messages to walk an edge's epoch to the top of its type.
constexpr Epoch max_epoch_jump = Epoch{1} << 32;

// Returns whether an edge whose highest known epoch is `known` may believe a message carrying `claimed`:
// whether `claimed` lies at most max_epoch_jump above it. Older epochs pass; the handlers judge them stale.
constexpr bool epoch_jump_allowed(Epoch known, Epoch claimed) {
  return claimed <= known || claimed - known <= max_epoch_jump;
}

// Returns the epoch a new term after `epoch` takes. It saturates at the top of the type rather than wrap to
// 0, which every edge would take for the oldest term there is and never follow again. At the top, leaders
// share one epoch and Bully's rank by id still decides between them.
constexpr Epoch next_epoch(Epoch epoch) { return epoch == std::numeric_limits<Epoch>::max() ? epoch : epoch + 1; }

// Which protocol the edge speaks. `standard` is ours. `classic` behaves like the original system, kept as a
// test subject for the checkers: no heartbeats (followers never notice a dead leader), a leader never steps
// down for a higher one that reappears, and replication happens only on the leader's instruction when an
// image is announced, with no reconciliation after a leader change.
enum class Protocol : std::uint8_t { standard = 0, classic = 1 };
const char* protocol_name(Protocol protocol);

struct EdgeConfig {
  NodeId canonical = 0;
  std::vector<NodeId> edges;  // Every edge in the cluster, this one included.
  Protocol protocol = Protocol::standard;

  std::int64_t heartbeat_interval_ms = 100;     // Leader to followers.
  std::int64_t leader_timeout_ms = 500;         // Follower: silence after which the leader is presumed dead.
  std::int64_t answer_timeout_ms = 200;         // Candidate: wait for a higher edge's Answer.
  std::int64_t coordinator_timeout_ms = 600;    // Candidate: wait for the answering edge's Coordinator.
  std::int64_t origin_timeout_ms = 1000;        // One origin fetch or size query.
  std::int64_t pull_timeout_ms = 1000;          // One replication pull from a peer.
  std::int64_t anti_entropy_interval_ms = 2000; // Leader: how often it reconciles followers' inventories.

  std::size_t max_waiters_per_image = 4096;  // Requests parked on one origin fetch; beyond, unavailable.
  std::size_t max_origin_fetches = 1024;     // Distinct images being fetched at once; beyond, unavailable.
  std::size_t max_active_pulls = 8;          // Replication pulls in flight at once.
  std::size_t max_queued_pulls = 4096;       // Pull orders waiting; beyond, the order is dropped.
  std::size_t max_known_sizes = 100000;      // Image sizes remembered after eviction, for get_size.

  friend bool operator==(const EdgeConfig&, const EdgeConfig&) = default;
};

struct EdgeStatus {
  NodeId id = 0;
  Role role = Role::follower;
  std::optional<NodeId> leader;  // This edge's belief; itself when it leads.
  Epoch epoch = 0;
  std::uint64_t cache_bytes = 0;
  std::uint64_t cache_budget_bytes = 0;
  std::size_t cache_items = 0;
};

struct EdgeCounters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t coalesced = 0;       // Requests that joined an origin fetch already in flight.
  std::uint64_t origin_fetches = 0;  // GetImage sent to the canonical.
  std::uint64_t size_queries = 0;    // GetSize sent to the canonical.
  std::uint64_t checksum_failures = 0;
  std::uint64_t evictions = 0;
  std::uint64_t replicas_received = 0;
  std::uint64_t pull_orders_sent = 0;
  std::uint64_t elections_started = 0;
  std::uint64_t times_elected = 0;
  // Refusals of a peer's word. Honest peers cause some too: a lossy or slow network brings late and
  // duplicated replies, and a deposed leader's orders can arrive after its successor's Coordinator. Only a
  // refused epoch jump always means a broken or hostile peer.
  std::uint64_t epoch_jumps_refused = 0;     // Messages whose epoch lay more than max_epoch_jump ahead.
  std::uint64_t unrequested_replies = 0;     // Image or size replies matching no request outstanding to their sender.
  std::uint64_t orders_from_non_leader = 0;  // PullOrder or InventoryRequest from an edge other than the leader.

  // Adds `more` field by field: totals over edges and incarnations.
  void add(const EdgeCounters& more);
};

// What checkers may see of an edge. Real edges implement it; tests implement it to play a broken edge.
class EdgeObservable {
 public:
  virtual ~EdgeObservable() = default;
  virtual EdgeStatus status() const = 0;
  // Returns the cached image ids in ascending order.
  virtual std::vector<ImageId> cached_images() const = 0;
};

// Hears of every change to an edge's cache, so a daemon can mirror the cache on disk. The edge calls it
// from inside its own event handlers, in the order the changes happen; an implementation must not call back
// into the edge, and whatever it does (or fails to do) never changes the edge's behaviour.
class CacheListener {
 public:
  virtual ~CacheListener() = default;
  // `image_id` was just cached with `body`, whose checksum the edge has verified.
  virtual void on_cached(ImageId image_id, const Body& body) = 0;
  // `image_id` was just evicted.
  virtual void on_evicted(ImageId image_id) = 0;
};

class Edge final : public Node, public EdgeObservable {
 public:
  // `cache` must outlive the edge; it may hold images from an earlier incarnation (a disk cache that survived).
  Edge(Env& env, EdgeConfig config, LruCache& cache);

  void on_start() override;
  void on_message(NodeId from, const Message& message) override;
  void on_timer(const Timer& timer) override;

  // Sets (or with nullptr clears) the listener told of every later cache change. `listener` must outlive the
  // edge or be cleared first. Images already in the cache at construction were never "cached" by this edge.
  void set_cache_listener(CacheListener* listener) { cache_listener_ = listener; }

  EdgeStatus status() const override;
  std::vector<ImageId> cached_images() const override { return cache_.ids(); }
  const EdgeCounters& counters() const { return counters_; }
  const EdgeConfig& config() const { return config_; }

 private:
  // A request parked on an origin fetch: who asked, with which request id, and for what.
  struct Waiter {
    NodeId from = 0;
    RequestId request_id = 0;
    bool wants_size = false;  // A GetSize that needed the image's size from the origin.
  };
  struct OriginFetch {
    RequestId request_id = 0;  // This edge's id for the request to the canonical.
    TimerId timer = 0;
    std::vector<Waiter> waiters;
  };
  struct Pull {
    RequestId request_id = 0;
    NodeId source = 0;
    NodeId retry_source = 0;  // The latest source ordered for this image; a retry goes there.
    TimerId timer = 0;
    std::uint32_t attempt = 1;
  };
  struct QueuedPull {
    ImageId image_id = 0;
    std::uint32_t attempt = 1;
  };

  // Serving (edge.cpp).
  void on_get_image(NodeId from, const GetImage& request);
  void on_get_size(NodeId from, const GetSize& request);
  void on_image_reply(NodeId from, const ImageReply& reply);
  void on_size_reply(NodeId from, const SizeReply& reply);
  void start_origin_fetch(ImageId image_id, Waiter waiter);
  // Parks `waiter` on a fetch in flight, or refuses it if max_waiters_per_image already wait.
  void join(OriginFetch& fetch, ImageId image_id, const Waiter& waiter);
  // Answers `waiter` unavailable at once.
  void refuse(ImageId image_id, const Waiter& waiter);
  // Returns the fetch or size query in `requests` that is waiting for the canonical's answer to `request_id`,
  // or null unless that request is outstanding and asked for `image_id`.
  const OriginFetch* outstanding_origin_request(const IdMap<OriginFetch>& requests, RequestId request_id,
                                                ImageId image_id) const;
  void finish_origin_fetch(ImageId image_id, Status status, const Body& body);
  void finish_size_query(ImageId image_id, Status status, std::uint64_t size_bytes);
  void reply_image(NodeId to, RequestId request_id, ImageId image_id, Status status, const Body& body);
  void remember_size(ImageId image_id, std::uint64_t size_bytes);
  // Inserts a verified body; returns whether it is now cached. A replica is stored only if it fits in free
  // space: replication pre-warms followers but never evicts what their own clients made hot, which keeps
  // leader and followers from evicting each other's images in turn under cache pressure.
  bool store(ImageId image_id, const Body& body, bool is_replica);
  bool is_edge(NodeId node) const;

  // Bully election (edge_election.cpp).
  void start_election();
  void become_leader();
  void accept_leader(NodeId leader, Epoch epoch);
  void observe_epoch(Epoch epoch);
  void on_election(NodeId from, const Election& message);
  void on_answer(NodeId from, const Answer& message);
  void on_coordinator(NodeId from, const Coordinator& message);
  void on_heartbeat(NodeId from, const Heartbeat& message);
  void on_heartbeat_ack(NodeId from, const HeartbeatAck& message);
  void send_heartbeats();
  void restart_leader_timer();
  void cancel_election_timers();
  std::vector<NodeId> higher_edges() const;
  std::vector<NodeId> other_edges() const;

  // Replication (edge_replication.cpp).
  void announce(const std::vector<ImageId>& image_ids, bool from_origin);
  void on_holding(NodeId from, const Holding& message);
  void on_inventory_request(NodeId from, const InventoryRequest& message);
  void on_pull_order(NodeId from, const PullOrder& message);
  void order_pulls(ImageId image_id, NodeId source);
  void start_queued_pulls();
  void enqueue_pull(ImageId image_id, NodeId source, std::uint32_t attempt = 1);
  void finish_pull(ImageId image_id, const ImageReply* reply);
  void send_inventory(NodeId to);
  void reconcile_follower(NodeId follower, const std::vector<ImageId>& theirs);
  void follower_seen(NodeId follower);
  std::vector<NodeId> live_followers() const;
  // Whether a follower that last acknowledged at `last_ack_us` still counts as alive at `now`.
  bool ack_recent(TimeUs last_ack_us, TimeUs now) const {
    return now - last_ack_us <= ms_to_us(config_.leader_timeout_ms);
  }
  // Whether a pull from `source` may start (or be retried) now.
  bool pull_source_usable(NodeId source) const;
  bool holds(NodeId member, ImageId image_id) const;
  // Orders `follower` to pull `image_id` from `source` if it is known to have room; returns whether it did.
  bool order_pull(NodeId follower, ImageId image_id, NodeId source);
  std::uint64_t free_bytes() const { return cache_.budget_bytes() - cache_.bytes_used(); }

  Env& env_;
  EdgeConfig config_;
  LruCache& cache_;
  CacheListener* cache_listener_ = nullptr;
  EdgeCounters counters_;
  RequestId next_request_id_ = 1;

  // Serving state. Tables looked up by id on every request are hash maps without iteration (IdMap).
  IdMap<OriginFetch> origin_fetches_;
  IdMap<OriginFetch> size_queries_;
  IdMap<ImageId> origin_requests_;  // Request id to the canonical -> image (fetches and sizes).
  IdMap<std::uint64_t> known_sizes_;

  // Election state.
  Role role_ = Role::follower;
  std::optional<NodeId> leader_;
  Epoch epoch_ = 0;               // The term of the leader this edge follows or is.
  Epoch highest_epoch_seen_ = 0;  // A new leader's term exceeds every term it has heard of.
  bool answered_ = false;  // A higher edge answered our election.
  TimerId election_timer_ = 0;
  TimerId leader_timer_ = 0;
  TimerId heartbeat_timer_ = 0;

  // Replication state. Leader only: who holds what, and when each follower last acknowledged a heartbeat.
  std::map<NodeId, std::vector<ImageId>> holdings_;  // Each sorted ascending, without duplicates.
  std::map<NodeId, std::uint64_t> follower_free_bytes_;  // As last reported, less what was ordered since.
  std::map<NodeId, TimeUs> follower_last_ack_us_;
  TimerId anti_entropy_timer_ = 0;
  // Any edge: pulls in flight and waiting, by image.
  IdMap<Pull> active_pulls_;
  IdMap<ImageId> pull_requests_;
  std::deque<QueuedPull> queued_pulls_;           // FIFO; bounded by max_queued_pulls.
  IdMap<NodeId> queued_pull_sources_;  // The images in queued_pulls_ and where to pull each from.
};

}  // namespace edgecache
