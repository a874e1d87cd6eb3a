#pragma once
// The daemon's configuration: parsed once in main from the command line, with EDGECACHE_<FLAG> environment
// variables as fallback, and checked completely before anything starts. A bad value is a ConfigError naming
// the flag; main prints it and exits 2.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/edge.h"
#include "core/types.h"
#include "net/log.h"

namespace edgecache::net {

// A host name or address and a TCP port. The host is resolved at connect time, so service names (Docker)
// that appear later still work.
struct Address {
  std::string host;
  std::uint16_t port = 0;

  std::string to_string() const;
  friend bool operator==(const Address&, const Address&) = default;
};

// Parses "host:port" or "[ipv6]:port"; nothing if malformed.
std::optional<Address> parse_address(const std::string& text);

enum class DaemonRole : std::uint8_t { canonical = 0, edge = 1 };
const char* daemon_role_name(DaemonRole role);

struct DaemonConfig {
  DaemonRole role = DaemonRole::edge;
  NodeId id = 0;
  Address listen;                      // The binary peer protocol.
  std::optional<Address> http_listen;  // HTTP for clients; none disables it.
  std::map<NodeId, Address> edges;     // Every edge, this one included when it is an edge.
  NodeId canonical_id = 0;
  std::optional<Address> canonical_address;  // Required for edges.
  std::string images_dir;                    // Canonical only.
  std::uint64_t cache_bytes = 0;             // Edge only.
  std::string data_dir;                      // Edge only; empty: the cache lives in memory only.
  EdgeConfig edge;                           // Edge only; canonical and edges filled in from the above.
  LogLevel log_level = LogLevel::info;
  LogFormat log_format = LogFormat::human;
  std::string trace_path;  // Empty: no node trace.
  std::string cluster_key_file;  // The key peer links are authenticated with; empty only with insecure_peers.
  bool insecure_peers = false;   // Peer links without authentication, by explicit choice.
};

struct ConfigHelp {
  std::string text;
};
struct ConfigError {
  std::string message;  // Names the offending flag.
};
using ConfigResult = std::variant<DaemonConfig, ConfigHelp, ConfigError>;

// Looks up an environment variable; nothing if unset. Injected so tests need not touch the real environment.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Parses `args` (without the program name). A flag absent from `args` is read from EDGECACHE_<FLAG> (upper
// case, dashes as underscores) through `lookup`, then falls back to its default.
ConfigResult parse_daemon_config(const std::vector<std::string>& args, const EnvironmentLookup& lookup);

// Returns the environment variable name for `flag`, e.g. "heartbeat-interval-ms" -> "EDGECACHE_HEARTBEAT_INTERVAL_MS".
std::string environment_name(const std::string& flag);

}  // namespace edgecache::net
