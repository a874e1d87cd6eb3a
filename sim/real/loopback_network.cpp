// Every host on loopback: the network for machines where namespaces cannot be made (no root).

#include "sim/real/host_network.h"

namespace edgecache::sim::real {

std::map<std::string, NodeId> daemon_ids(std::uint32_t edges) {
  std::map<std::string, NodeId> ids;
  for (std::uint32_t i = 1; i <= edges; ++i) ids["edge-" + std::to_string(i)] = i;
  ids["canonical"] = edges + 1;
  return ids;
}

namespace {

constexpr std::uint16_t http_port_offset = 100;

class LoopbackNetwork final : public HostNetwork {
 public:
  LoopbackNetwork(std::uint32_t edges, std::uint16_t base_port) : ids_(daemon_ids(edges)), base_port_(base_port) {}

  std::string kind() const override { return "local processes on loopback"; }
  net::Address peer_address(const std::string& host) const override { return at(id_of(host)); }
  net::Address http_address(const std::string& host) const override { return at(http_port_offset + id_of(host)); }
  std::vector<std::string> command_prefix(const std::string&) const override { return {}; }

  LinkFaultResult partition(const std::vector<std::vector<std::string>>&) override { return unsupported(); }
  LinkFaultResult isolate(const std::string&) override { return unsupported(); }
  LinkFaultResult cut(const std::string&, const std::string&) override { return unsupported(); }
  LinkFaultResult heal() override { return unsupported(); }

 private:
  std::uint32_t id_of(const std::string& host) const { return ids_.at(host); }
  net::Address at(std::uint32_t offset) const {
    return net::Address{"127.0.0.1", static_cast<std::uint16_t>(base_port_ + offset)};
  }
  static LinkFaultResult unsupported() {
    return {false, "every process shares the loopback interface, so links cannot be cut; run as root for network "
                   "namespaces (--network netns)"};
  }

  std::map<std::string, NodeId> ids_;
  std::uint16_t base_port_;
};

}  // namespace

std::unique_ptr<HostNetwork> make_loopback_network(std::uint32_t edges, std::uint16_t base_port) {
  return std::make_unique<LoopbackNetwork>(edges, base_port);
}

}  // namespace edgecache::sim::real
