#pragma once
// The client library: routes each request to an edge by image id, fails over to the next edge on a timeout,
// an unavailable reply or a corrupt body, and reports exactly one outcome per request by its deadline.

#include <cstdint>
#include <functional>
#include <vector>

#include "core/env.h"
#include "core/id_map.h"
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
  std::uint32_t attempts = 0;    // Edges tried.
  TimeUs latency_us = 0;         // Local time from submit to outcome.
};

struct ClientConfig {
  std::vector<NodeId> edges;  // In the configured order, which defines modulo routing.
  RoutingMode routing = RoutingMode::modulo;
  std::int64_t attempt_timeout_ms = 500;     // How long one edge gets before the client tries the next.
  std::int64_t request_deadline_ms = 3000;   // No request outlives this; the outcome is then unavailable.
  std::size_t max_pending_requests = 10000;  // Beyond this, submit() reports rejected at once.
  bool failover = true;                      // False: try only the first edge (the original client).

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

 private:
  struct Pending {
    ClientRequest request;
    std::vector<NodeId> order;     // Edges in try order.
    std::size_t next_edge = 0;     // Index into order of the next edge to try.
    RequestId wire_id = 0;         // Request id of the attempt in flight.
    NodeId current_edge = 0;
    TimeUs started_us = 0;
    TimerId attempt_timer = 0;
    TimerId deadline_timer = 0;
    std::uint32_t attempts = 0;
  };

  void try_next_edge(Pending& pending);
  void finish(RequestId id, Outcome outcome, Body body, std::uint64_t size_bytes, NodeId served_by);

  Env& env_;
  ClientConfig config_;
  ResultHandler on_result_;
  RequestId next_wire_id_ = 1;
  // Hash tables (no iteration), since every request goes through both several times.
  IdMap<Pending> pending_;              // By caller's request id.
  IdMap<RequestId> wire_to_request_;    // Attempt id on the wire -> caller's request id.
};

}  // namespace edgecache
