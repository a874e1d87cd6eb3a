// Whole-cluster tests of the real-network mode. Method: start the built edgecache-server binary as real
// processes on 127.0.0.1 only (one canonical, edges 1-3, free ports found by binding port 0), with a
// temporary images directory of small generated files; wait, bounded, until the cluster is ready; then talk
// to it over HTTP and raw TCP as an outsider would, and kill processes with signals to inject crashes.
// Every process is killed and reaped by RAII guards even when a check fails, and every wait has a bound.

#include <signal.h>

#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "net/frame.h"
#include "tests/net/cluster_harness.h"

namespace edgecache::net::testing {
namespace {

using std::chrono::milliseconds;

std::string as_string(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

// Splits bytes holding consecutive HTTP responses into (status, body) pairs, using each Content-Length.
// Stops at the first incomplete response.
std::vector<std::pair<int, std::string>> split_responses(const std::string& bytes) {
  std::vector<std::pair<int, std::string>> responses;
  std::size_t position = 0;
  while (true) {
    const std::size_t head_end = bytes.find("\r\n\r\n", position);
    if (head_end == std::string::npos || bytes.compare(position, 9, "HTTP/1.1 ") != 0) break;
    const std::string head = bytes.substr(position, head_end - position);
    const std::size_t length_at = head.find("Content-Length: ");
    const std::size_t length = length_at == std::string::npos ? 0 : std::stoul(head.substr(length_at + 16));
    if (bytes.size() < head_end + 4 + length) break;
    responses.emplace_back(std::stoi(head.substr(9, 3)), bytes.substr(head_end + 4, length));
    position = head_end + 4 + length;
  }
  return responses;
}

std::uint64_t metric(Cluster& cluster, std::uint32_t edge, const std::string& name) {
  const HttpResult metrics = http_request(cluster.http_port(edge), "GET", "/metrics");
  REQUIRE(metrics.status == 200);
  const std::optional<std::uint64_t> value = metric_value(metrics.body, name);
  REQUIRE(value);
  return *value;
}

}  // namespace

TEST_CASE("the highest edge leads and every edge serves every image with caching headers", "[net][cluster]") {
  START_CLUSTER(cluster);
  const std::map<std::uint64_t, std::string> types = {
      {1, "image/jpeg"}, {2, "image/png"}, {3, "image/gif"}, {4, "image/webp"}, {5, "image/jpeg"}};
  for (std::uint32_t edge = 1; edge <= Cluster::edge_count; ++edge) {
    CHECK(cluster.leader_of(edge) == std::optional<std::uint32_t>(3));
    for (const auto& [id, type] : types) {
      INFO("edge " << edge << " image " << id);
      const HttpResult image = http_request(cluster.http_port(edge), "GET", "/images/" + std::to_string(id));
      REQUIRE(image.status == 200);
      CHECK(image.body == as_string(cluster.image(id)));
      CHECK(image.header("content-type") == type);
      CHECK(image.header("content-length") == std::to_string(cluster.image(id).size()));
      CHECK(image.header("cache-control") == "public, max-age=31536000, immutable");
      CHECK(image.header("etag").size() == 18);
    }
  }
  INFO(cluster.logs());

  {
    const HttpResult first = http_request(cluster.http_port(1), "GET", "/images/2");
    const HttpResult again = http_request(cluster.http_port(2), "GET", "/images/2", {"If-None-Match: " + first.header("etag")});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    const HttpResult other = http_request(cluster.http_port(2), "GET", "/images/2", {"If-None-Match: \"0000000000000000\""});
    CHECK(other.status == 200);
  }

  // A second fetch is a hit: no new miss and no new origin fetch on that edge.
  const std::uint64_t hits = metric(cluster, 1, "edgecache_cache_hits_total");
  const std::uint64_t misses = metric(cluster, 1, "edgecache_cache_misses_total");
  const std::uint64_t fetches = metric(cluster, 1, "edgecache_origin_fetches_total");
  REQUIRE(http_request(cluster.http_port(1), "GET", "/images/1").status == 200);
  CHECK(metric(cluster, 1, "edgecache_cache_hits_total") > hits);
  CHECK(metric(cluster, 1, "edgecache_cache_misses_total") == misses);
  CHECK(metric(cluster, 1, "edgecache_origin_fetches_total") == fetches);
  CHECK(metric(cluster, 1, "edgecache_leader_id") == 3);

  // Keep-alive: requests sent together on one connection are answered in order, each response complete
  // (the large image's body goes out in the same write as its head), until one asks to close.
  {
    const std::string get_large = "GET /images/5 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const std::optional<std::string> answered = exchange_raw(
        cluster.http_port(1), get_large + get_large + "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
        milliseconds(5000));
    REQUIRE(answered);
    const auto responses = split_responses(*answered);
    REQUIRE(responses.size() == 3);
    CHECK(responses[0] == std::pair<int, std::string>(200, as_string(cluster.image(5))));
    CHECK(responses[1] == std::pair<int, std::string>(200, as_string(cluster.image(5))));
    CHECK(responses[2] == std::pair<int, std::string>(200, "ok\n"));
  }

  // HEAD answers the size without a body.
  const HttpResult head = http_request(cluster.http_port(1), "HEAD", "/images/5");
  CHECK(head.status == 200);
  CHECK(head.header("content-length") == std::to_string(cluster.image(5).size()));
  CHECK(head.body.empty());

  // Unknown and malformed ids.
  CHECK(http_request(cluster.http_port(1), "GET", "/images/999").status == 404);
  CHECK(http_request(cluster.http_port(1), "HEAD", "/images/999").status == 404);
  for (const char* bad : {"/images/abc", "/images/..%2f", "/images/..", "/images/99999999999999999999999",
                          "/images/18446744073709551616", "/images/%31"}) {
    INFO(bad);
    CHECK(http_request(cluster.http_port(1), "GET", bad).status == 400);
  }

  // The canonical serves its catalog directly.
  const HttpResult origin = http_request(cluster.http_port(Cluster::canonical_id), "GET", "/images/4");
  CHECK(origin.status == 200);
  CHECK(origin.body == as_string(cluster.image(4)));
  CHECK(http_request(cluster.http_port(Cluster::canonical_id), "GET", "/images/77").status == 404);

  // Health and status.
  CHECK(http_request(cluster.http_port(2), "GET", "/healthz").body == "ok\n");
  const auto status = nlohmann::json::parse(http_request(cluster.http_port(3), "GET", "/status").body);
  CHECK(status["id"] == 3);
  CHECK(status["role"] == "leader");
  CHECK(status["epoch"].get<std::uint64_t>() >= 1);
  CHECK(status["cache_items"].get<std::uint64_t>() >= 1);
}

TEST_CASE("HTTP limits: bodies, oversized headers and other methods are refused", "[net][cluster]") {
  START_CLUSTER(cluster);
  const std::uint16_t port = cluster.http_port(1);
  CHECK(http_request(port, "POST", "/images/1", {"Content-Length: 3"}, milliseconds(3000)).status == 413);
  CHECK(http_request(port, "GET", "/images/1", {"X-Big: " + std::string(9000, 'a')}).status == 431);
  CHECK(http_request(port, "DELETE", "/images/1").status == 405);
  CHECK(http_request(port, "GET", "/nowhere").status == 404);
  // A malformed request line gets 400 and a closed connection, and the server keeps serving.
  CHECK(send_raw_and_wait_for_close(port, "NONSENSE\r\n\r\n", milliseconds(3000)));
  CHECK(http_request(port, "GET", "/healthz").status == 200);
}

TEST_CASE("garbage on a peer port closes that connection and nothing else", "[net][cluster]") {
  START_CLUSTER(cluster);
  const std::uint16_t port = cluster.peer_port(2);
  // A frame header claiming an enormous payload.
  CHECK(send_raw_and_wait_for_close(port, std::string("\xff\xff\xff\xff\x01\x00\x00\x00", 8) + std::string(8, 'x'), milliseconds(3000)));
  // A well-formed hello followed by a frame whose checksum does not match.
  OutgoingFrame hello = make_auth_hello_frame(AuthHello{1, 2, random_nonce()});
  OutgoingFrame bad = make_auth_proof_frame(AuthProof{});
  bad.payload.back() ^= 0xFF;
  std::string bytes(hello.header.begin(), hello.header.end());
  bytes.append(hello.payload.begin(), hello.payload.end());
  bytes.append(bad.header.begin(), bad.header.end());
  bytes.append(bad.payload.begin(), bad.payload.end());
  CHECK(send_raw_and_wait_for_close(port, bytes, milliseconds(3000)));
  // A hello from a node nobody configured.
  OutgoingFrame stranger = make_auth_hello_frame(AuthHello{555, 2, random_nonce()});
  CHECK(send_raw_and_wait_for_close(port, std::string(stranger.header.begin(), stranger.header.end()) +
                                              std::string(stranger.payload.begin(), stranger.payload.end()),
                                    milliseconds(3000)));
  // Random bytes.
  CHECK(send_raw_and_wait_for_close(port, std::string(64, '\x5a'), milliseconds(3000)));

  INFO(cluster.logs());
  CHECK(cluster.process(2).running());
  const HttpResult image = http_request(cluster.http_port(2), "GET", "/images/3");
  CHECK(image.status == 200);
  CHECK(cluster.leader_of(2) == std::optional<std::uint32_t>(3));
  CHECK(read_file(cluster.process(2).log_path()).find("WARN protocol error from ") != std::string::npos);
}

TEST_CASE("after the leader is killed the next highest edge leads within 3 s", "[net][cluster]") {
  START_CLUSTER(cluster);
  cluster.process(3).signal(SIGKILL);
  REQUIRE(cluster.process(3).wait_for_exit(milliseconds(2000)));
  const bool moved = eventually(milliseconds(3000), [&] {
    return cluster.leader_of(1) == std::optional<std::uint32_t>(2) && cluster.leader_of(2) == std::optional<std::uint32_t>(2);
  });
  INFO(cluster.logs());
  CHECK(moved);
  // The survivors still serve.
  CHECK(http_request(cluster.http_port(1), "GET", "/images/1").status == 200);
}

TEST_CASE("with the canonical dead, cached images still serve and uncached ones are 503", "[net][cluster]") {
  START_CLUSTER(cluster);
  REQUIRE(http_request(cluster.http_port(1), "GET", "/images/1").status == 200);
  cluster.process(Cluster::canonical_id).signal(SIGKILL);
  REQUIRE(cluster.process(Cluster::canonical_id).wait_for_exit(milliseconds(2000)));
  const HttpResult cached = http_request(cluster.http_port(1), "GET", "/images/1");
  CHECK(cached.status == 200);
  CHECK(cached.body == as_string(cluster.image(1)));
  // No edge has image 4; the origin fetch times out (origin-timeout-ms, 1 s by default) and says so.
  INFO(cluster.logs());
  CHECK(http_request(cluster.http_port(1), "GET", "/images/4").status == 503);
}

TEST_CASE("SIGTERM shuts a daemon down cleanly", "[net][cluster]") {
  START_CLUSTER(cluster);
  cluster.process(1).signal(SIGTERM);
  CHECK(cluster.process(1).wait_for_exit(milliseconds(3000)) == std::optional<int>(0));
  CHECK(read_file(cluster.process(1).log_path()).find("INFO shutting down on SIGTERM") != std::string::npos);
}

TEST_CASE("a miss shows in the logs: the fetch, the canonical's answer and the replicas, in either format", "[net][cluster]") {
  Cluster cluster;
  cluster.add_arguments(2, {"--log-format=json"});
  {
    std::string why;
    const bool started = cluster.start(why);
    INFO(why);
    REQUIRE(started);
  }
  const HttpResult image = http_request(cluster.http_port(1), "GET", "/images/2");
  REQUIRE(image.status == 200);
  const std::string size = std::to_string(image.body.size());
  INFO(cluster.logs());
  const std::string edge1 = read_file(cluster.process(1).log_path());
  CHECK(edge1.find(" edge-1 INFO miss: image 2, fetching it from the canonical\n") != std::string::npos);
  CHECK(edge1.find(" edge-1 INFO fetched image 2 from the canonical (" + size + " bytes)\n") != std::string::npos);
  CHECK(read_file(cluster.process(Cluster::canonical_id).log_path())
            .find(" canonical INFO sent image 2 to edge-1 (" + size + " bytes)\n") != std::string::npos);
  // The leader orders the other edges to copy the image; edge 2 logs JSON, as asked.
  CHECK(eventually(milliseconds(5000), [&] {
    return read_file(cluster.process(3).log_path()).find(" edge-3 INFO replicated image 2 from edge-1 (" + size + " bytes)") !=
           std::string::npos;
  }));
  CHECK(eventually(milliseconds(5000), [&] {
    return read_file(cluster.process(2).log_path()).find(R"("event":"replicated","image":2,"source":"edge-1")") !=
           std::string::npos;
  }));
  const std::string edge2 = read_file(cluster.process(2).log_path());
  std::istringstream lines(edge2);
  std::string line;
  while (std::getline(lines, line)) CHECK(nlohmann::json::parse(line, nullptr, false).contains("event"));
}

TEST_CASE("a bad flag exits 2 with a message naming it", "[net][process]") {
  TempDirectory directory;
  const std::string log = directory.path() + "/out.log";
  ChildProcess process({EDGECACHE_SERVER_BINARY, "--role=edge", "--id=1", "--listen=127.0.0.1:1", "--peers=1=127.0.0.1:1",
                        "--canonical=100=127.0.0.1:2", "--heartbeat-interval-ms=soon"},
                       log);
  CHECK(process.wait_for_exit(milliseconds(5000)) == std::optional<int>(2));
  CHECK(read_file(log).find("--heartbeat-interval-ms") != std::string::npos);
}

TEST_CASE("without a cluster key a daemon refuses to start: 2 with no key flag, 3 with an unusable key file", "[net][process]") {
  TempDirectory directory;
  const std::vector<std::string> base = {EDGECACHE_SERVER_BINARY, "--role=edge", "--id=1", "--listen=127.0.0.1:1",
                                         "--peers=1=127.0.0.1:1", "--canonical=100=127.0.0.1:2"};
  const std::string log = directory.path() + "/out.log";
  {
    ChildProcess process(base, log);
    CHECK(process.wait_for_exit(milliseconds(5000)) == std::optional<int>(2));
    CHECK(read_file(log).find("--cluster-key-file") != std::string::npos);
  }
  directory.write("short.key", {'a', 'b', 'c'});
  std::vector<std::string> with_short_key = base;
  with_short_key.push_back("--cluster-key-file=" + directory.path() + "/short.key");
  const std::string short_log = directory.path() + "/short.log";
  ChildProcess process(with_short_key, short_log);
  CHECK(process.wait_for_exit(milliseconds(5000)) == std::optional<int>(3));
  CHECK(read_file(short_log).find("short.key") != std::string::npos);
}

}  // namespace edgecache::net::testing
