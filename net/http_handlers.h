#pragma once
// What each role answers over HTTP. The edge's image requests go through the edge node itself, as a local
// client (net/local_clients.h); the canonical answers from its immutable catalog directly.
//
// Routes: GET|HEAD /images/{id}, GET /status (JSON), GET /healthz, GET /metrics (Prometheus text). An edge's
// /status and /metrics include its disk cache's state (degraded or not, writes pending, counters) when it
// runs with --data-dir; its /status says "disk": null otherwise.

#include "core/canonical.h"
#include "core/catalog.h"
#include "core/edge.h"
#include "net/disk_cache.h"
#include "net/http_types.h"
#include "net/local_clients.h"
#include "net/peer_links.h"

namespace edgecache::net {

class EdgeHttpHandler final : public HttpHandler {
 public:
  // All must outlive the handler. `disk` is the edge's disk cache, or null without --data-dir; with one, a
  // large enough image is answered with its file as well, for the session to send with sendfile.
  EdgeHttpHandler(const Edge& edge, LocalClients& local, const PeerLinks& links, DiskCache* disk)
      : edge_(edge), local_(local), links_(links), disk_(disk) {}
  void handle(const HttpRequest& request, Respond respond) override;

 private:
  const Edge& edge_;
  LocalClients& local_;
  const PeerLinks& links_;
  DiskCache* disk_;
};

class CanonicalHttpHandler final : public HttpHandler {
 public:
  // All must outlive the handler.
  CanonicalHttpHandler(NodeId id, const MemoryCatalog& catalog, const Canonical& canonical, const PeerLinks& links)
      : id_(id), catalog_(catalog), canonical_(canonical), links_(links) {}
  void handle(const HttpRequest& request, Respond respond) override;

 private:
  NodeId id_;
  const MemoryCatalog& catalog_;
  const Canonical& canonical_;
  const PeerLinks& links_;
};

}  // namespace edgecache::net
