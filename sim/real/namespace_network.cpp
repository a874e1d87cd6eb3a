// Every daemon in a network namespace of its own, so links between hosts can be cut for real. The load
// client stays in the caller's namespace and reaches the others through the bridge's address.
//
//   10.231.S.i    edge-i's namespace (veth to the bridge), the canonical at .N+1; peers on 9000, HTTP on 8000
//   10.231.S.254  the bridge, in the caller's namespace: the load client ("client-1")
//
// A link fault adds iptables DROP rules inside the namespaces involved (never in the caller's namespace, so
// the machine's own firewall is not touched but for one FORWARD rule that lets the bridge carry traffic when
// Docker's br_netfilter and FORWARD DROP policy are present). Heal flushes the namespaces' rules.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sim/real/child_process.h"
#include "sim/real/host_network.h"

namespace edgecache::sim::real {

namespace {

constexpr std::uint16_t namespace_peer_port = 9000;
constexpr std::uint16_t namespace_http_port = 8000;
constexpr int client_octet = 254;
constexpr auto command_timeout = std::chrono::seconds(20);

class NamespaceNetwork final : public HostNetwork {
 public:
  NamespaceNetwork(std::uint32_t edges, std::string log_path) : edges_(edges), log_path_(std::move(log_path)) {
    tag_ = std::to_string(::getpid() % 100000);
    bridge_ = "ecb" + tag_;
  }

  ~NamespaceNetwork() override {
    for (const auto& [host, octet] : octets_) {
      if (host != "client-1") run({"ip", "netns", "delete", namespace_of(host)});
    }
    if (forward_rule_) run({"iptables", "-D", "FORWARD", "-i", bridge_, "-o", bridge_, "-j", "ACCEPT"});
    if (bridge_made_) run({"ip", "link", "delete", bridge_});
  }

  std::optional<std::string> create() {
    // Runs that start together (tests in parallel) must not pick the same subnet: choosing one and taking it
    // by giving the bridge its address happen under one machine-wide lock.
    const int lock = ::open("/run/lock/edgecache-real-network.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock >= 0) ::flock(lock, LOCK_EX);
    std::optional<std::string> error = create_locked();
    if (lock >= 0) ::close(lock);
    return error;
  }

  std::optional<std::string> create_locked() {
    const std::optional<int> subnet = free_subnet();
    if (!subnet) return "no free 10.231.S.0/24 subnet for the bridge";
    prefix_ = "10.231." + std::to_string(*subnet) + ".";
    for (const auto& [host, id] : daemon_ids(edges_)) octets_[host] = static_cast<int>(id);
    octets_["client-1"] = client_octet;

    if (!run({"ip", "link", "add", bridge_, "type", "bridge"})) return failure("cannot create bridge " + bridge_);
    bridge_made_ = true;
    if (!run({"ip", "addr", "add", prefix_ + std::to_string(client_octet) + "/24", "dev", bridge_}) ||
        !run({"ip", "link", "set", bridge_, "up"})) {
      return failure("cannot configure bridge " + bridge_);
    }
    // Bridged frames pass the FORWARD chain when br_netfilter is loaded (Docker loads it and sets the policy
    // to DROP); this one rule lets the bridge carry its own traffic. Without iptables there is nothing to fix.
    forward_rule_ = run({"iptables", "-I", "FORWARD", "-i", bridge_, "-o", bridge_, "-j", "ACCEPT"});
    for (const auto& [host, octet] : octets_) {
      if (host == "client-1") continue;
      const std::string ns = namespace_of(host);
      const std::string outside = "ecv" + tag_ + "h" + std::to_string(octet);
      const std::string inside = "ecp" + tag_ + "h" + std::to_string(octet);
      inside_device_[host] = inside;
      if (!run({"ip", "netns", "add", ns}) ||
          !run({"ip", "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", ns}) ||
          !run({"ip", "link", "set", outside, "master", bridge_, "up"}) ||
          !run({"ip", "-n", ns, "addr", "add", prefix_ + std::to_string(octet) + "/24", "dev", inside}) ||
          !run({"ip", "-n", ns, "link", "set", inside, "up"}) || !run({"ip", "-n", ns, "link", "set", "lo", "up"})) {
        return failure("cannot set up the namespace of " + host);
      }
      // Rules go in later; a namespace without iptables support would make every link fault fail.
      if (!run({"ip", "netns", "exec", ns, "iptables", "-F", "INPUT"})) return failure("iptables does not work in " + ns);
    }
    return std::nullopt;
  }

  std::string kind() const override { return "local processes in network namespaces"; }
  net::Address peer_address(const std::string& host) const override { return {ip_of(host), namespace_peer_port}; }
  net::Address http_address(const std::string& host) const override { return {ip_of(host), namespace_http_port}; }
  std::vector<std::string> command_prefix(const std::string& host) const override {
    return {"/usr/sbin/ip", "netns", "exec", namespace_of(host)};
  }

  LinkFaultResult partition(const std::vector<std::vector<std::string>>& groups) override {
    std::map<std::string, std::size_t> group_of;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      for (const std::string& host : groups[g]) group_of[host] = g;
    }
    std::string text;
    for (auto a = octets_.begin(); a != octets_.end(); ++a) {
      for (auto b = std::next(a); b != octets_.end(); ++b) {
        const std::size_t group_a = group_of.count(a->first) ? group_of[a->first] : groups.size();
        const std::size_t group_b = group_of.count(b->first) ? group_of[b->first] : groups.size();
        if (group_a == group_b) continue;
        if (!block_both_ways(a->first, b->first)) return {false, "iptables failed; see " + log_path_};
        text += (text.empty() ? "" : ", ") + a->first + " <-> " + b->first;
      }
    }
    return {true, "iptables DROP " + (text.empty() ? std::string("nothing (one group)") : text)};
  }

  LinkFaultResult isolate(const std::string& host) override {
    for (const auto& [other, octet] : octets_) {
      if (other != host && !block_both_ways(host, other)) return {false, "iptables failed; see " + log_path_};
    }
    return {true, "iptables DROP everything to and from " + host};
  }

  LinkFaultResult cut(const std::string& from, const std::string& to) override {
    // The rule sits in a daemon's namespace: the sender's OUTPUT, or the receiver's INPUT if the sender is
    // the load client, whose namespace is the caller's.
    const bool ok = from != "client-1" ? drop(from, "OUTPUT", "-d", ip_of(to)) : drop(to, "INPUT", "-s", ip_of(from));
    if (!ok) return {false, "iptables failed; see " + log_path_};
    return {true, "iptables DROP " + from + " -> " + to};
  }

  LinkFaultResult heal() override {
    for (const auto& [host, octet] : octets_) {
      if (host == "client-1") continue;
      if (!run({"ip", "netns", "exec", namespace_of(host), "iptables", "-F", "INPUT"}) ||
          !run({"ip", "netns", "exec", namespace_of(host), "iptables", "-F", "OUTPUT"})) {
        return {false, "iptables failed; see " + log_path_};
      }
    }
    return {true, "iptables -F in every namespace"};
  }

 private:
  std::string namespace_of(const std::string& host) const { return "ec" + tag_ + "-" + host; }
  std::string ip_of(const std::string& host) const {
    auto found = octets_.find(host);
    return found == octets_.end() ? std::string("0.0.0.0") : prefix_ + std::to_string(found->second);
  }

  bool drop(const std::string& host, const std::string& chain, const std::string& direction, const std::string& address) {
    return run({"ip", "netns", "exec", namespace_of(host), "iptables", "-A", chain, direction, address, "-j", "DROP"});
  }

  // Cuts a and b apart both ways, with rules in whichever of the two is a daemon's namespace.
  bool block_both_ways(const std::string& a, const std::string& b) {
    for (const auto& [self, other] : {std::pair{a, b}, std::pair{b, a}}) {
      if (self == "client-1" || octets_.count(self) == 0) continue;
      if (!drop(self, "INPUT", "-s", ip_of(other)) || !drop(self, "OUTPUT", "-d", ip_of(other))) return false;
    }
    return true;
  }

  // A third octet no interface of this machine uses yet.
  std::optional<int> free_subnet() {
    const std::string listing = (std::filesystem::temp_directory_path() / ("ec-addr-" + tag_)).string();
    run({"ip", "-4", "-o", "addr", "show"}, listing);
    std::ifstream file(listing);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::filesystem::remove(listing);
    for (int attempt = 0; attempt < 250; ++attempt) {
      const int subnet = (std::stoi(tag_) + attempt) % 250;
      if (text.find(" 10.231." + std::to_string(subnet) + ".") == std::string::npos) return subnet;
    }
    return std::nullopt;
  }

  // Runs a command to completion; its output goes to `output` (the network log if empty).
  bool run(const std::vector<std::string>& argv, const std::string& output = "") {
    std::vector<std::string> full = argv;
    if (full[0] == "ip") full[0] = "/usr/sbin/ip";
    if (full[0] == "iptables") full[0] = "/usr/sbin/iptables";
    if (full.size() > 4 && full[4] == "iptables") full[4] = "/usr/sbin/iptables";
    if (!output.empty()) {
      ChildProcess process;
      if (process.start(full, output, log_path_)) return false;
      const std::optional<int> status = process.wait(command_timeout);
      return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
    }
    {
      std::ofstream log(log_path_, std::ios::app);
      for (const std::string& word : full) log << word << ' ';
      log << '\n';
    }
    ChildProcess process;
    if (process.start(full, log_path_)) return false;
    const std::optional<int> status = process.wait(command_timeout);
    return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
  }

  std::optional<std::string> failure(const std::string& what) { return what + "; see " + log_path_; }

  std::uint32_t edges_;
  std::string log_path_;
  std::string tag_;
  std::string bridge_;
  std::string prefix_;
  bool bridge_made_ = false;
  bool forward_rule_ = false;
  std::map<std::string, int> octets_;  // Every host's last address octet, client-1 included.
  std::map<std::string, std::string> inside_device_;
};

}  // namespace

std::unique_ptr<HostNetwork> make_namespace_network(std::uint32_t edges, const std::string& log_path, std::string& error) {
  auto network = std::make_unique<NamespaceNetwork>(edges, log_path);
  if (auto failed = network->create()) {
    error = *failed;
    return nullptr;
  }
  return network;
}

}  // namespace edgecache::sim::real
