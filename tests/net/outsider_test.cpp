// The outsider: a running cluster attacked by someone who can reach every peer port and knows the frame
// format but not the cluster key. Method: replay, with plain sockets, every attack that worked against
// unauthenticated links (net/outsider_attacks.h: hellos claiming real and unknown ids, a Coordinator with
// the largest epoch, pull orders, spoofed and unrequested image replies, forged inventories; here also 64
// idle links and oversized frames), then
// check what an operator would: the leader and epochs did not move, every byte served is the canonical's, a
// restarted real peer gets back in, the edge's memory stayed put, and /metrics counted every refusal.

#include <signal.h>

#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "net/frame.h"
#include "net/limits.h"
#include "net/outsider_attacks.h"
#include "net/peer_auth.h"
#include "tests/net/cluster_harness.h"

namespace edgecache::net::testing {
namespace {

using std::chrono::milliseconds;

// How much an edge's resident memory may grow while outsiders push oversized frames at it: what it buffers
// for connections in their handshake is a chunk each, far below this.
constexpr std::uint64_t max_outsider_memory_growth_bytes = 16ULL * 1024 * 1024;

std::string bytes_of(const OutgoingFrame& frame) { return std::string(frame.header.begin(), frame.header.end()) +
                                                          std::string(frame.payload.begin(), frame.payload.end()); }

std::uint64_t resident_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

struct Belief {
  std::optional<std::uint32_t> leader;
  std::uint64_t epoch = 0;
  friend bool operator==(const Belief&, const Belief&) = default;
};

Belief belief_of(std::uint16_t http_port) {
  const HttpResult status = http_request(http_port, "GET", "/status");
  const auto json = nlohmann::json::parse(status.body, nullptr, false);
  if (status.status != 200 || !json.is_object()) return {};
  Belief belief;
  if (!json["leader"].is_null()) belief.leader = json["leader"].get<std::uint32_t>();
  belief.epoch = json["epoch"].get<std::uint64_t>();
  return belief;
}

std::uint64_t refusals_counted(std::uint16_t http_port) {
  const std::string metrics = http_request(http_port, "GET", "/metrics").body;
  std::uint64_t total = 0;
  for (const char* name : {"edgecache_peer_auth_refused_total", "edgecache_peer_unknown_id_refused_total",
                           "edgecache_peer_protocol_errors_total", "edgecache_peer_handshakes_evicted_total",
                           "edgecache_peer_inbound_rejected_total"}) {
    total += metric_value(metrics, name).value_or(0);
  }
  return total;
}

}  // namespace

TEST_CASE("an outsider without the cluster key moves no leader, no epoch and no byte", "[net][cluster][outsider]") {
  START_CLUSTER(cluster);
  std::map<std::uint32_t, Belief> before;
  for (std::uint32_t edge = 1; edge <= Cluster::edge_count; ++edge) before[edge] = belief_of(cluster.http_port(edge));
  const std::uint64_t resident_before = resident_bytes(cluster.process(1).pid());
  std::uint64_t attacks_on_edge_1 = 0;
  std::uint64_t attacks_on_canonical = 0;

  // Every attack of net/outsider_attacks.h on every node, each on its own connection: hellos claiming each
  // real id and an unknown one, the authenticated handshake with a made-up proof or none, and the forged
  // messages after them. Each is refused before any message is read.
  for (std::uint32_t node : {1u, 2u, 3u, Cluster::canonical_id}) {
    for (const OutsiderAttack& attack : outsider_attacks(node, {1, 2, 3, Cluster::canonical_id, 555}, {1, 2, 3, Cluster::canonical_id})) {
      INFO("node " << node << ": " << attack.name);
      const std::optional<std::string> reply = exchange_raw(cluster.peer_port(node), attack.bytes, milliseconds(3000));
      REQUIRE(reply);
      CHECK(judge_outsider_reply(attack, node, *reply) == std::nullopt);
      if (node == 1) ++attacks_on_edge_1;
      if (node == Cluster::canonical_id) ++attacks_on_canonical;
    }
  }

  // Oversized frames: three connections announce maximal messages and stream bytes; each is closed at the
  // header, so the edge never buffers them.
  {
    std::vector<std::unique_ptr<KeepAliveConnection>> flooders;
    OutgoingFrame huge = make_message_frame(Heartbeat{1});
    const auto payload_bytes = static_cast<std::uint32_t>(max_frame_payload_bytes);
    for (std::size_t index = 0; index < 4; ++index) huge.header[index] = static_cast<std::uint8_t>(payload_bytes >> (8 * index));
    const std::string chunk(1024 * 1024, '\x42');
    for (int flooder = 0; flooder < 3; ++flooder) {
      auto connection = std::make_unique<KeepAliveConnection>(cluster.peer_port(1));
      REQUIRE(connection->connected());
      connection->send(bytes_of(make_auth_hello_frame(AuthHello{2, 1, random_nonce()})) +
                       std::string(huge.header.begin(), huge.header.end()));
      for (int megabyte = 0; megabyte < 16 && connection->send(chunk, milliseconds(500)); ++megabyte) {
      }
      flooders.push_back(std::move(connection));
      ++attacks_on_edge_1;
    }
    const std::uint64_t resident_during = resident_bytes(cluster.process(1).pid());
    INFO("resident before " << resident_before << " bytes, during " << resident_during);
    CHECK(resident_during < resident_before + max_outsider_memory_growth_bytes);
    for (auto& connection : flooders) CHECK(connection->wait_for_close(milliseconds(3000)));
  }

  INFO(cluster.logs());
  for (std::uint32_t edge = 1; edge <= Cluster::edge_count; ++edge) {
    CHECK(belief_of(cluster.http_port(edge)) == before[edge]);
    for (std::uint64_t image = 1; image <= 5; ++image) {
      const HttpResult served = http_request(cluster.http_port(edge), "GET", "/images/" + std::to_string(image));
      CHECK(served.status == 200);
      CHECK(served.body == std::string(cluster.image(image).begin(), cluster.image(image).end()));
    }
  }
  CHECK(refusals_counted(cluster.http_port(1)) >= attacks_on_edge_1);
  // The canonical counts its refusals beside its own figures.
  CHECK(refusals_counted(cluster.http_port(Cluster::canonical_id)) >= attacks_on_canonical);
  const std::string canonical_metrics = http_request(cluster.http_port(Cluster::canonical_id), "GET", "/metrics").body;
  CHECK(metric_value(canonical_metrics, "edgecache_catalog_images") == std::optional<std::uint64_t>(5));
  CHECK(metric_value(canonical_metrics, "edgecache_peer_links_authenticated") == std::optional<std::uint64_t>(1));
  const std::string metrics = http_request(cluster.http_port(1), "GET", "/metrics").body;
  CHECK(metric_value(metrics, "edgecache_peer_links_authenticated") == std::optional<std::uint64_t>(1));
  CHECK(metric_value(metrics, "edgecache_peer_unknown_id_refused_total") >= std::optional<std::uint64_t>(1));
  CHECK(metric_value(metrics, "edgecache_peer_auth_refused_total") >= std::optional<std::uint64_t>(2));
  // Refusals are logged once per address, not once per connection: the log cannot be flooded.
  const std::string log = read_file(cluster.process(1).log_path());
  std::size_t warnings = 0;
  for (const std::string line : {"WARN refused a peer", "WARN protocol error from"}) {
    for (std::size_t at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++warnings;
  }
  CHECK(warnings == 1);
}

TEST_CASE("idle links that never finish their handshake cannot keep a restarted peer out", "[net][cluster][outsider]") {
  START_CLUSTER(cluster);
  // More connections than max_inbound_peer_connections, each claiming edge 2's id and then saying nothing.
  std::vector<std::unique_ptr<KeepAliveConnection>> idle;
  for (std::size_t index = 0; index < max_inbound_peer_connections + 6; ++index) {
    auto connection = std::make_unique<KeepAliveConnection>(cluster.peer_port(1));
    REQUIRE(connection->connected());
    REQUIRE(connection->send(bytes_of(make_auth_hello_frame(AuthHello{2, 1, random_nonce()}))));
    idle.push_back(std::move(connection));
  }
  auto edge_1_hears_from_2 = [&] {
    const HttpResult status = http_request(cluster.http_port(1), "GET", "/status");
    const auto json = nlohmann::json::parse(status.body, nullptr, false);
    if (!json.is_object()) return false;
    for (const auto& id : json["links"]["inbound"]) {
      if (id == 2) return true;
    }
    return false;
  };
  cluster.process(2).signal(SIGKILL);
  REQUIRE(cluster.process(2).wait_for_exit(milliseconds(2000)));
  REQUIRE(eventually(milliseconds(1000), [&] { return !edge_1_hears_from_2(); }));
  cluster.relaunch(2);
  // Edge 2 dials edge 1 as soon as it starts; its authenticated link displaces the oldest idle one.
  const bool back = eventually(milliseconds(hello_timeout_ms - 500), edge_1_hears_from_2);
  INFO(cluster.logs());
  CHECK(back);
  const std::string metrics = http_request(cluster.http_port(1), "GET", "/metrics").body;
  CHECK(metric_value(metrics, "edgecache_peer_handshakes_evicted_total") >= std::optional<std::uint64_t>(6));
  // The idle links themselves are closed once hello_timeout_ms passes.
  for (auto& connection : idle) CHECK(connection->wait_for_close(milliseconds(hello_timeout_ms + 2000)));
  CHECK(cluster.leader_of(1) == std::optional<std::uint32_t>(3));
}

}  // namespace edgecache::net::testing
