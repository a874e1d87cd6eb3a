// edgecache-peer-probe: plays an outsider without the cluster key against one node's peer port, sending
// every attack of net/outsider_attacks.h on its own connection, and reports whether each was refused. It
// is how the Docker tests (tests/docker/outsider.sh) check a deployment from a container that holds no
// key, and how an operator checks that a cluster's peer ports are closed to strangers.
//
//   edgecache-peer-probe HOST:PORT TARGET_ID CLUSTER_IDS [STRANGER_IDS]
//     TARGET_ID     the id of the node listening there
//     CLUSTER_IDS   the ids the cluster configures, comma-separated (claimed as real members)
//     STRANGER_IDS  ids nobody configures, comma-separated (default 555)
//
// Exit codes: 0 every attack refused, 1 some attack was not refused, 2 bad usage, 3 cannot connect.

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/parse_number.h"
#include "net/config.h"
#include "net/outsider_attacks.h"

namespace {

using Clock = std::chrono::steady_clock;

// How long one attack may take: connect, send, and the target's answer and close.
constexpr std::chrono::milliseconds attack_timeout{5000};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Connects to `address` (blocking connect; the kernel's own timeout bounds it), or returns -1.
int connect_to(const edgecache::net::Address& address) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.host.c_str(), std::to_string(address.port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* entry = found; entry != nullptr && fd < 0; entry = entry->ai_next) {
    fd = ::socket(entry->ai_family, entry->ai_socktype, entry->ai_protocol);
    if (fd >= 0 && ::connect(fd, entry->ai_addr, entry->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

// Sends `bytes` (the target may close part-way, which is a refusal too), then reads until the target closes
// or the deadline passes. Returns what it sent back, or nothing if it kept the connection open.
std::optional<std::string> exchange(int fd, const std::string& bytes, Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    pollfd writable{fd, POLLOUT, 0};
    if (::poll(&writable, 1, remaining_ms(deadline)) != 1) return std::nullopt;
    const ssize_t count = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (count <= 0) break;  // Closed by the target.
    sent += static_cast<std::size_t>(count);
  }
  std::string reply;
  char chunk[4096];
  while (true) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, remaining_ms(deadline)) != 1) return std::nullopt;
    const ssize_t count = ::recv(fd, chunk, sizeof chunk, 0);
    if (count <= 0) return reply;  // Closed (or reset) by the target.
    reply.append(chunk, static_cast<std::size_t>(count));
  }
}

std::optional<std::vector<edgecache::NodeId>> parse_ids(const std::string& text) {
  std::vector<edgecache::NodeId> ids;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const auto id = edgecache::parse_decimal_in(text.substr(start, comma - start), 1, 999999);
    if (!id) return std::nullopt;
    ids.push_back(static_cast<edgecache::NodeId>(*id));
    start = comma + 1;
  }
  return ids;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace edgecache;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const char* usage = "usage: edgecache-peer-probe HOST:PORT TARGET_ID CLUSTER_IDS [STRANGER_IDS]\n";
  if (args.size() < 3 || args.size() > 4) {
    std::fputs(usage, stderr);
    return 2;
  }
  const std::optional<net::Address> address = net::parse_address(args[0]);
  const auto target = parse_decimal_in(args[1], 1, 999999);
  const auto cluster = parse_ids(args[2]);
  const auto strangers = parse_ids(args.size() == 4 ? args[3] : "555");
  if (!address || !target || !cluster || !strangers) {
    std::fprintf(stderr, "edgecache-peer-probe: %s is malformed\n%s",
                 !address ? "HOST:PORT" : !target ? "TARGET_ID" : !cluster ? "CLUSTER_IDS" : "STRANGER_IDS", usage);
    return 2;
  }
  std::vector<NodeId> claimed = *cluster;
  claimed.insert(claimed.end(), strangers->begin(), strangers->end());
  int not_refused = 0;
  for (const net::OutsiderAttack& attack : net::outsider_attacks(static_cast<NodeId>(*target), claimed, *cluster)) {
    const int fd = connect_to(*address);
    if (fd < 0) {
      std::fprintf(stderr, "edgecache-peer-probe: cannot connect to %s\n", address->to_string().c_str());
      return 3;
    }
    const std::optional<std::string> reply = exchange(fd, attack.bytes, Clock::now() + attack_timeout);
    ::close(fd);
    std::optional<std::string> problem = reply ? net::judge_outsider_reply(attack, static_cast<NodeId>(*target), *reply)
                                               : std::optional<std::string>("the connection stayed open");
    if (problem) ++not_refused;
    std::printf("%s: %s%s%s\n", problem ? "NOT REFUSED" : "refused", attack.name.c_str(), problem ? ": " : "",
                problem ? problem->c_str() : "");
  }
  return not_refused == 0 ? 0 : 1;
}
