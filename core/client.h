#pragma once
// The client library: routes each request to an edge by image id, fails over to the next edge on a timeout,
// an unavailable reply or a corrupt body, and reports exactly one outcome per request by its deadline.
//
// Two habits keep its tail short when an edge dies or turns slow. Hedging: a request that has waited longer
// than answers usually take (core/latency_estimator.h) also asks the next edge for a cached copy, and the
// first good answer wins, so a request sent to an edge that just died costs about twice the usual latency
// rather than a whole attempt timeout. Passive health checking (core/edge_health.h): an edge that fails is
// sent no requests for a while, only probes, so the requests routed to it go straight to the next edge.
// Hedges and probes of images ask for cached copies only (GetImage::cache_only), so neither ever adds an
// origin fetch: the cluster still fetches each image once however many clients wait for it.

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/edge_health.h"
#include "core/env.h"
#include "core/id_map.h"
#include "core/latency_estimator.h"
#include "core/node.h"
#include "core/routing.h"

namespace edgecache {

enum class RequestKind : std::uint8_t { get_image = 0, get_size = 1 };
const char* request_kind_name(RequestKind kind);

struct ClientRequest {
  RequestId id = 0;  // Chosen by the caller; unique per client.
  RequestKind kind = RequestKind::get_image;
  ImageId image_id = 0;
};

enum class Outcome : std::uint8_t {
  ok = 0,
  not_found = 1,    // An edge said the canonical has no such image.
  unavailable = 2,  // Every edge tried failed, or the deadline passed first.
  rejected = 3,     // The client was already carrying max_pending_requests.
};
const char* outcome_name(Outcome outcome);

struct ClientResult {
  RequestId id = 0;
  RequestKind kind = RequestKind::get_image;
  ImageId image_id = 0;
  Outcome outcome = Outcome::unavailable;
  Body body;                     // Set for an ok get_image.
  std::uint64_t size_bytes = 0;  // Set for an ok get_size (and an ok get_image).
  NodeId served_by = 0;          // The edge that gave the final answer; 0 if none did.
  std::uint32_t attempts = 0;    // Attempts sent, hedges included.
  TimeUs latency_us = 0;         // Local time from submit to outcome.
};

struct ClientConfig {
  std::vector<NodeId> edges;  // In the configured order, which defines modulo routing.
  RoutingMode routing = RoutingMode::modulo;
  std::int64_t attempt_timeout_ms = 500;     // How long one edge gets before the client tries the next.
  std::int64_t request_deadline_ms = 3000;   // No request outlives this; the outcome is then unavailable.
  std::size_t max_pending_requests = 10000;  // Beyond this, submit() reports rejected at once.
  bool failover = true;                      // False: try only the first edge (the original client).
  bool hedging = true;          // Send a second attempt to the next edge when the first is slower than usual.
  bool passive_health = true;   // Send an edge that failed only probes until one answers in time.
  std::int64_t ejection_ms = 250;       // How long an edge is left alone after failing once.
  std::int64_t max_ejection_ms = 8000;  // Ejections double per failure in a row up to this.

  friend bool operator==(const ClientConfig&, const ClientConfig&) = default;
};

// Where requests enter a client node. The simulator's workload and the real CLI both submit through it, and
// a test can implement it to play a broken client.
class RequestPort {
 public:
  virtual ~RequestPort() = default;
  // Starts a request; its outcome is reported exactly once, possibly from within this call.
  // REQUIRES: request.id not currently pending.
  virtual void submit(const ClientRequest& request) = 0;
};

// How many attempts of one request may wait at once: the first and one hedge.
constexpr std::size_t max_attempts_in_flight = 2;
// A hedge waits at least this long, so a cluster answering in microseconds is not sent every request twice.
constexpr TimeUs min_hedge_delay_us = 1000;

class Client final : public Node, public RequestPort {
 public:
  using ResultHandler = std::function<void(const ClientResult&)>;

  // `on_result` is called exactly once per submitted request, possibly from within submit().
  Client(Env& env, ClientConfig config, ResultHandler on_result);

  void submit(const ClientRequest& request) override;

  void on_start() override;
  void on_message(NodeId from, const Message& message) override;
  void on_timer(const Timer& timer) override;

  std::size_t pending_count() const { return pending_.size(); }
  const EdgeHealth& health() const { return health_; }
  const LatencyEstimator& latency() const { return latency_; }

 private:
  enum class AttemptKind : std::uint8_t {
    full,   // Uses up its edge's turn in the order; the edge may fetch from the origin.
    // Asks order[next_edge] for a cached copy without using up that edge's turn: if it declines, the edge
    // still gets a full attempt should the first one fail.
    hedge,
    // After a hedge declined: asks the edge of the full attempt for a cached copy, which a live edge answers
    // at once (busy fetching from the origin, it declines). Silence means the edge is gone, not busy.
    check,
  };
  struct Attempt {
    RequestId wire_id = 0;  // 0 marks a free slot.
    NodeId edge = 0;
    TimeUs sent_us = 0;
    TimerId timer = 0;
    AttemptKind kind = AttemptKind::full;
  };
  struct Pending {
    ClientRequest request;
    std::vector<NodeId> order;  // Edges in try order.
    std::size_t next_edge = 0;  // Index into order of the next edge to try.
    std::array<Attempt, max_attempts_in_flight> in_flight{};
    TimeUs started_us = 0;
    TimerId hedge_timer = 0;
    TimerId deadline_timer = 0;
    std::uint32_t attempts = 0;
  };
  // A probe to an ejected edge: a copy of a request whose answer only tells whether the edge is back.
  struct Probe {
    NodeId edge = 0;
    ClientRequest request;
    TimeUs sent_us = 0;
    TimerId timer = 0;
  };
  // What an edge's reply says about the request it answers.
  struct Answer {
    Outcome outcome = Outcome::unavailable;  // ok, not_found, or unavailable for anything unusable.
    // An unavailable answer that is a clean refusal of this very request, rather than a corrupt body or an
    // answer to another question. To a cached-copy question it means only "not cached here".
    bool declined = false;
    Body body;
    std::uint64_t size_bytes = 0;
  };

  static Answer read_answer(const ClientRequest& request, const Message& message);
  static std::size_t attempts_in_flight(const Pending& pending);
  void send_request(NodeId edge, RequestId wire_id, const ClientRequest& request, bool cache_only);
  Attempt& start_attempt(Pending& pending, NodeId edge, AttemptKind kind, TimeUs timeout_us);
  TimeUs hedge_delay_us() const;
  void try_next_edge(Pending& pending);
  void arm_hedge(Pending& pending);
  void send_hedge(Pending& pending);
  void drop_attempt(Pending& pending, std::size_t slot);
  void release_stalled(NodeId edge);
  void attempt_failed(Pending& pending, std::size_t slot);
  void send_probe(NodeId edge, const ClientRequest& request);
  void on_probe_reply(RequestId wire_id, const Message& message);
  void finish(RequestId id, Outcome outcome, Body body, std::uint64_t size_bytes, NodeId served_by);

  Env& env_;
  ClientConfig config_;
  ResultHandler on_result_;
  EdgeHealth health_;
  LatencyEstimator latency_;
  RequestId next_wire_id_ = 1;
  // Hash tables (no iteration), since every request goes through them several times.
  IdMap<Pending> pending_;            // By caller's request id.
  IdMap<RequestId> wire_to_request_;  // Attempt id on the wire -> caller's request id.
  IdMap<Probe> probes_;               // By wire id; at most one per ejected edge.
  // Requests whose hedge found no cached copy and which wait on their first attempt alone. When that
  // attempt's edge is judged failing (another request's hedge beat it, say), they fail over at once rather
  // than wait out the attempt timeout. Entries of requests that moved on are dropped at the next scan.
  std::vector<RequestId> stalled_;
};

}  // namespace edgecache
