// Hostile and malformed input on the client port, with real daemons on loopback: path traversal and
// malformed or huge image ids, random bytes, a request sent slowly and left unfinished, and thousands of
// idle connections.
// Method: start a cluster, then for each kind of bad input open raw TCP connections and check the daemon
// answers with a clear error status or closes the connection within its documented timeout; after each
// kind, check the daemon still serves a normal request promptly. Idle-connection floods also check that the
// daemon's resident memory stays bounded.

#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <catch2/catch.hpp>

#include "tests/net/cluster_harness.h"
#include "tests/net/rpc_test_client.h"

namespace edgecache::net::testing {
namespace {

using std::chrono::milliseconds;

// Returns a process's resident set size in KiB from /proc, or 0 if unknown.
std::uint64_t resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

// Opens a plain blocking connection to 127.0.0.1:`port`; -1 on failure.
int open_connection(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void sleep_ms(long milliseconds_to_sleep) {
  struct timespec pause{milliseconds_to_sleep / 1000, (milliseconds_to_sleep % 1000) * 1'000'000};
  nanosleep(&pause, nullptr);
}

}  // namespace

TEST_CASE("bad input: traversal, percent-encoding, non-numeric and huge ids get 400 or 404", "[net][bad_input]") {
  START_CLUSTER(cluster);
  std::set<std::string> images;
  for (std::uint64_t id = 1; id <= 5; ++id) images.insert(std::string(cluster.image(id).begin(), cluster.image(id).end()));
  const std::vector<std::string> malformed = {
      "/images/../etc/passwd", "/images/..%2f..%2fetc%2fpasswd", "/images/%2e%2e/image1.jpg", "/images/%31",
      "/images/1%00",          "/images/1/",                     "/images//1",                "/images/1?x=1",
      "/images/abc",           "/images/-1",                     "/images/+1",                "/images/007",
      "/images/1.jpg",         "/images/18446744073709551616",   "/images/99999999999999999999999999",
      "/images/",              "/images/0x10"};
  for (std::uint32_t node : {Cluster::canonical_id, 1u}) {
    for (const std::string& target : malformed) {
      INFO("node " << node << " target " << target);
      const HttpResult result = http_request(cluster.http_port(node), "GET", target);
      CHECK(result.status == 400);
      CHECK(images.count(result.body) == 0);
    }
    for (const std::string target : {"/../images/1", "/%69mages/1", "/image1.jpg", "/etc/passwd", "/images"}) {
      INFO("node " << node << " target " << target);
      const HttpResult result = http_request(cluster.http_port(node), "GET", target);
      CHECK(result.status == 404);
      CHECK(images.count(result.body) == 0);
    }
    // The largest id is well formed and simply absent.
    CHECK(http_request(cluster.http_port(node), "GET", "/images/18446744073709551615").status == 404);
  }
  INFO(cluster.logs());
  CHECK(http_request(cluster.http_port(1), "GET", "/images/1").status == 200);
}

TEST_CASE("bad input: random bytes and a slowly sent partial request are closed, others keep being served", "[net][bad_input]") {
  START_CLUSTER(cluster);
  const std::uint16_t port = cluster.http_port(2);
  // Random bytes that start like an HTTP request go to the HTTP parser, which answers 400 and closes.
  std::string garbage = "GET ";
  for (int index = 0; index < 200; ++index) garbage.push_back(static_cast<char>((index * 97 + 13) & 0xFF));
  const auto answered = exchange_raw(port, garbage, milliseconds(12000));
  REQUIRE(answered);
  CHECK((answered->empty() || answered->rfind("HTTP/1.1 400", 0) == 0));

  // A request line sent one byte every 300 ms and never finished: closed within the sniffing plus request read
  // timeouts (10 s each at most), while a normal client is served meanwhile.
  const int slow = open_connection(port);
  REQUIRE(slow >= 0);
  const std::string partial = "GET /images/1 HTTP/1.1\r\nHost: x\r\n";
  const auto started = std::chrono::steady_clock::now();
  bool closed = false;
  for (std::size_t index = 0; index < partial.size() && !closed; ++index) {
    if (::send(slow, &partial[index], 1, MSG_NOSIGNAL) != 1) closed = true;
    sleep_ms(300);
    if (index == 3) CHECK(http_request(port, "GET", "/images/2").status == 200);
  }
  char byte = 0;
  const bool ended = eventually(milliseconds(22000), [&] {
    const ssize_t count = ::recv(slow, &byte, 1, MSG_DONTWAIT);
    return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  });
  ::close(slow);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO("closed after " << seconds << " s");
  CHECK(ended);
  CHECK(seconds < 22.0);
  CHECK(cluster.process(2).running());
  CHECK(http_request(port, "GET", "/images/3").status == 200);
}

TEST_CASE("bad input: three thousand idle connections do not stop the daemon serving", "[net][bad_input]") {
  // The test needs a descriptor per idle connection; raise the soft limit (the daemons inherit it) as far as
  // the hard limit allows, and open fewer connections where it is low, though always more than the
  // daemon's max_http_connections (1024).
  rlimit limit{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
  const std::size_t wanted = std::min<std::size_t>(3000, limit.rlim_cur > 512 ? limit.rlim_cur - 256 : 0);
  INFO("descriptor limit " << limit.rlim_cur << ", idle connections wanted " << wanted);
  REQUIRE(wanted > 1100);

  START_CLUSTER(cluster);
  const std::uint16_t port = cluster.http_port(1);
  const std::uint64_t memory_before_kib = resident_kib(cluster.process(1).pid());
  std::vector<int> idle;
  for (std::size_t index = 0; index < wanted; ++index) {
    const int fd = open_connection(port);
    if (fd >= 0) idle.push_back(fd);
  }
  CHECK(idle.size() == wanted);
  sleep_ms(500);
  // Connections that never spoke give way to ones that do: both protocols are served at once.
  const auto started = std::chrono::steady_clock::now();
  const HttpResult image = http_request(port, "GET", "/images/1", {}, milliseconds(3000));
  CHECK(image.status == 200);
  const RpcReply rpc = rpc_call(port, "get_image_size", "[5]", milliseconds(3000));
  CHECK(rpc.size == std::optional<std::uint64_t>(cluster.image(5).size()));
  CHECK(std::chrono::steady_clock::now() - started < milliseconds(3000));
  const std::uint64_t memory_during_kib = resident_kib(cluster.process(1).pid());
  INFO("resident KiB before " << memory_before_kib << ", during " << memory_during_kib);
  CHECK(memory_during_kib < memory_before_kib + 64 * 1024);
  for (const int fd : idle) ::close(fd);
  INFO(cluster.logs());
  CHECK(cluster.process(1).running());
  CHECK(http_request(port, "GET", "/images/2").status == 200);
}

}  // namespace edgecache::net::testing
