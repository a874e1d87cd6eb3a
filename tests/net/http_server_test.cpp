// Tests of net/http_server.cpp's connection handling against a real edge on loopback: keep-alive across
// pauses, pipelining, and which timeout ends a connection. Method: start a cluster, hold raw client
// connections open and drive them by hand, timing when the server closes each one. The server's clock
// starts each timeout a moment before the client sees the bytes that started it, so closes are checked
// against the documented timeouts from below with a small allowance, and from above with a wide margin
// that still tells the two timeouts apart.

#include <catch2/catch.hpp>

#include "net/limits.h"
#include "tests/net/cluster_harness.h"

namespace edgecache::net::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const std::string get_image_1 = "GET /images/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const std::string get_image_2 = "GET /images/2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

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

}  // namespace edgecache::net::testing
