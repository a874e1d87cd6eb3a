#pragma once
// Where a real cluster's hosts live and how the links between them are cut: the part of `sim real` that
// differs between running every daemon on loopback and giving each its own network namespace.
//
// Hosts are named as in scenarios ("canonical", "edge-1".., "client-1" for the load client). Link faults
// have the simulator's meaning (sim/world/world.h): a partition puts hosts of different groups out of each
// other's reach (hosts in no group form one more group), isolate cuts one host off from all, cut is one way,
// heal undoes them all.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/config.h"

namespace edgecache::sim::real {

// The daemons of a real cluster of `edges` edges by host name, with their node ids: edge-i has id i and the
// canonical N+1, as in the simulator. Every part of `sim real` names hosts from this one table.
std::map<std::string, NodeId> daemon_ids(std::uint32_t edges);

// What a link fault did, or why it could not be done.
struct LinkFaultResult {
  bool done = false;
  std::string text;  // The action ("iptables DROP edge-3 <-> edge-1, ...") or the reason it is unsupported.
};

class HostNetwork {
 public:
  virtual ~HostNetwork() = default;

  // Where the daemons run, for reports: "local processes on loopback", "Docker containers"...
  virtual std::string kind() const = 0;
  // Where the others reach `host`'s peer port, and where this machine (the load client, status polls)
  // reaches its HTTP port.
  virtual net::Address peer_address(const std::string& host) const = 0;
  virtual net::Address http_address(const std::string& host) const = 0;
  // What the daemon itself binds; the same addresses unless it sits behind a port mapping (Docker).
  virtual net::Address listen_address(const std::string& host) const { return peer_address(host); }
  virtual net::Address http_listen_address(const std::string& host) const { return http_address(host); }
  // Words that go before a host's command line to start it in its place ("ip netns exec NS"), maybe none.
  virtual std::vector<std::string> command_prefix(const std::string& host) const = 0;

  virtual LinkFaultResult partition(const std::vector<std::vector<std::string>>& groups) = 0;
  virtual LinkFaultResult isolate(const std::string& host) = 0;
  virtual LinkFaultResult cut(const std::string& from, const std::string& to) = 0;
  virtual LinkFaultResult heal() = 0;
};

// Every host on 127.0.0.1 with its own ports (peer base+id, HTTP base+100+id; edge-i has id i, the canonical
// N+1). Links cannot be cut: they all share the loopback interface.
std::unique_ptr<HostNetwork> make_loopback_network(std::uint32_t edges, std::uint16_t base_port);

// Every daemon in a network namespace of its own, joined by veth pairs to a bridge in the caller's
// namespace, where the load client runs; link faults are iptables DROP rules inside the namespaces.
// Needs root, iproute2 and iptables. Returns nothing and sets `error` if the namespaces cannot be made.
// `log_path` receives the output of every ip and iptables command. Everything is removed on destruction.
std::unique_ptr<HostNetwork> make_namespace_network(std::uint32_t edges, const std::string& log_path, std::string& error);

}  // namespace edgecache::sim::real
