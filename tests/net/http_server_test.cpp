// Tests of net/http_server.cpp's connection handling against a real edge on loopback: keep-alive across
// pauses, pipelining, which timeout ends a connection, and bodies sent from the disk cache's files with
// sendfile. Method: start a cluster, hold raw client connections open and drive them by hand, timing when
// the server closes each one. The server's clock
// starts each timeout a moment before the client sees the bytes that started it, so closes are checked
// against the documented timeouts from below with a small allowance, and from above with a wide margin
// that still tells the two timeouts apart.

#include <catch2/catch.hpp>

#include "net/body_files.h"
#include "net/limits.h"
#include "tests/net/cluster_harness.h"
#include "tests/net/disk_fixtures.h"

namespace edgecache::net::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const std::string get_image_1 = "GET /images/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const std::string get_image_2 = "GET /images/2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const std::string get_image_5 = "GET /images/5 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// How much earlier than its documented timeout the server may appear to close, seen from the client.
constexpr milliseconds clock_allowance{500};

std::string as_string(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

}  // namespace

TEST_CASE("keep-alive: requests after pauses and pipelined ones are answered; idle and partial requests time out",
          "[net][http]") {
  START_CLUSTER(cluster);
  const std::uint16_t port = cluster.http_port(1);

  // One connection, several requests: separate, after a pause (the server is then waiting, not reading), and
  // two sent together.
  KeepAliveConnection idle(port);
  REQUIRE(idle.connected());
  REQUIRE(idle.send(get_image_1));
  auto first = idle.read_response();
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->body == as_string(cluster.image(1)));
  struct timespec pause{0, 300'000'000};
  nanosleep(&pause, nullptr);
  REQUIRE(idle.send(get_image_2 + get_image_1));
  auto second = idle.read_response();
  auto third = idle.read_response();
  REQUIRE(second);
  REQUIRE(third);
  CHECK(second->body == as_string(cluster.image(2)));
  CHECK(third->body == as_string(cluster.image(1)));
  const auto idle_since = Clock::now();

  // Another connection starts a second request and stops: the request read timeout applies, not the idle one.
  KeepAliveConnection partial(port);
  REQUIRE(partial.connected());
  REQUIRE(partial.send(get_image_1));
  REQUIRE(partial.read_response());
  const auto partial_since = Clock::now();
  REQUIRE(partial.send("GET /ima"));
  const milliseconds read_timeout(http_request_read_timeout_ms);
  const milliseconds idle_timeout(http_keep_alive_idle_timeout_ms);
  CHECK(partial.wait_for_close(idle_timeout - milliseconds(5000)));
  const auto partial_closed_after = Clock::now() - partial_since;
  CHECK(partial_closed_after >= read_timeout - clock_allowance);

  CHECK(idle.wait_for_close(idle_timeout + milliseconds(10000)));
  const auto idle_closed_after = Clock::now() - idle_since;
  CHECK(idle_closed_after >= idle_timeout - clock_allowance);
  INFO(cluster.logs());
  CHECK(http_request(port, "GET", "/images/1").status == 200);
}

// An edge with --data-dir sends large cached images from their files with sendfile. Image 5 (300,000 bytes)
// is far above min_sendfile_body_bytes; image 1 is below it and still copied. The slow reader has a 4 KiB
// receive buffer and asks for 16 copies of image 5 at once, then waits before reading: 4.8 MB is more than
// the kernel's largest send buffer (tcp_wmem's 4 MiB), so the server must stop partway through a file, wait
// for writability and go on from where it stopped. A wrong offset, a lost head or a file closed too early
// shows up as a body that differs from the image; the metric shows the files were used at all.
TEST_CASE("sendfile: large images from the data dir arrive whole, over keep-alive and to a slow reader", "[net][http]") {
  Cluster cluster;
  cluster.add_arguments(1, {"--data-dir=" + cluster.directory() + "/edge1-data"});
  {
    std::string why;
    const bool started = cluster.start(why);
    INFO(why);
    REQUIRE(started);
  }
  const std::uint16_t port = cluster.http_port(1);
  const std::string large = as_string(cluster.image(5));
  REQUIRE(large.size() >= min_sendfile_body_bytes);
  REQUIRE(cluster.image(1).size() < min_sendfile_body_bytes);
  REQUIRE(http_request(port, "GET", "/images/5").status == 200);  // The miss, which writes the file.
  // The write is asynchronous; until it is durable, hits are copied from memory.
  REQUIRE(eventually(milliseconds(10000), [&] {
    const nlohmann::json disk = edge_disk_status(port);
    return disk.is_object() && disk["written"] == 1 && disk["pending_writes"] == 0;
  }));

  KeepAliveConnection connection(port);
  REQUIRE(connection.connected());
  for (int round = 0; round < 3; ++round) {
    REQUIRE(connection.send(get_image_5));
    const auto response = connection.read_response();
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body.size() == large.size());
    CHECK((response->body == large));
  }
  REQUIRE(connection.send(get_image_5 + get_image_1 + get_image_5));  // From a file, copied, from a file.
  const std::string small = as_string(cluster.image(1));
  for (const std::string* expected : {&large, &small, &large}) {
    const auto response = connection.read_response();
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK((response->body == *expected));
  }

  constexpr int receive_buffer_bytes = 4096;
  constexpr int pipelined_requests = 16;
  KeepAliveConnection slow(port, milliseconds(5000), receive_buffer_bytes);
  REQUIRE(slow.connected());
  std::string requests;
  for (int index = 0; index < pipelined_requests; ++index) requests += get_image_5;
  REQUIRE(slow.send(requests));
  struct timespec pause{0, 300'000'000};
  nanosleep(&pause, nullptr);
  for (int index = 0; index < pipelined_requests; ++index) {
    const auto response = slow.read_response(milliseconds(10000));
    INFO("response " << index);
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body.size() == large.size());
    CHECK((response->body == large));
  }

  const HttpResult metrics = http_request(port, "GET", "/metrics");
  REQUIRE(metrics.status == 200);
  INFO(cluster.logs());
  CHECK(metric_value(metrics.body, "edgecache_body_file_responses_total") >=
        std::optional<std::uint64_t>(3 + 2 + pipelined_requests));
  CHECK(metric_value(metrics.body, "edgecache_body_file_unusable_total") == std::optional<std::uint64_t>(0));
  CHECK(http_request(port, "HEAD", "/images/5").header("content-length") == std::to_string(large.size()));
}

}  // namespace edgecache::net::testing
