#include "net/config.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>
#include <sstream>

#include <boost/program_options.hpp>

#include "core/edge_config_fields.h"
#include "core/parse_number.h"
#include "net/limits.h"

namespace edgecache::net {

namespace po = boost::program_options;

namespace {

// Thrown inside this file only, and turned into a ConfigError before parse_daemon_config returns.
struct BadFlag {
  std::string message;
};

[[noreturn]] void bad_flag(const std::string& flag, const std::string& problem) {
  throw BadFlag{"--" + flag + ": " + problem};
}

// Parses a decimal integer strictly: digits only (no sign, no spaces), within [minimum, maximum].
std::uint64_t parse_unsigned(const std::string& flag, const std::string& text, std::uint64_t minimum,
                             std::uint64_t maximum) {
  const std::optional<std::uint64_t> value = parse_decimal_in(text, minimum, maximum);
  if (!value) {
    bad_flag(flag, "expected an integer in [" + std::to_string(minimum) + ", " + std::to_string(maximum) + "], got '" +
                       text + "'");
  }
  return *value;
}

NodeId parse_node_id(const std::string& flag, const std::string& text) {
  // Ids from first_local_client_id up stand for local HTTP requests, so configured nodes stay below.
  return static_cast<NodeId>(parse_unsigned(flag, text, 1, first_local_client_id - 1));
}

Address parse_address_flag(const std::string& flag, const std::string& text) {
  std::optional<Address> address = parse_address(text);
  if (!address) bad_flag(flag, "expected host:port with a port in [1, 65535], got '" + text + "'");
  return *address;
}

// Parses "id=host:port" into its two parts.
std::pair<NodeId, Address> parse_member(const std::string& flag, const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos) bad_flag(flag, "expected id=host:port, got '" + text + "'");
  return {parse_node_id(flag, text.substr(0, equals)), parse_address_flag(flag, text.substr(equals + 1))};
}

std::map<NodeId, Address> parse_members(const std::string& flag, const std::string& text) {
  std::map<NodeId, Address> members;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    auto [id, address] = parse_member(flag, item);
    if (!members.emplace(id, address).second) bad_flag(flag, "edge id " + std::to_string(id) + " listed twice");
  }
  return members;
}

// Reads every edge setting from its flag (the table's name with '-' for '_'). A daemon takes durations up to
// an hour, tighter than a scenario's bound: a longer one is a typo, not a plan.
void read_edge_setting_flags(const po::variables_map& values, EdgeConfig& edge) {
  constexpr std::uint64_t max_duration_ms = 3'600'000;
  for (const EdgeConfigField& field : edge_config_fields()) {
    const std::string flag = field.flag_name();
    const std::uint64_t max = field.is_duration() ? std::min(field.max, max_duration_ms) : field.max;
    field.set(edge, parse_unsigned(flag, values[flag].as<std::string>(), field.min, max));
  }
  // The Edge constructor asserts this (a programmer error there); here it is the operator's input.
  if (const std::optional<EdgeConfigOrderBreach> breach = edge_config_order_breach(edge)) {
    bad_flag(breach->field->flag_name(),
             "must exceed --" + breach->lower->flag_name() + " (" + std::to_string(breach->lower_value) + ")");
  }
}

std::string option_text(const po::variables_map& values, const std::string& flag) {
  return values.count(flag) != 0 ? values[flag].as<std::string>() : std::string();
}

po::options_description make_options() {
  const EdgeConfig defaults;
  po::options_description options(
      "edgecache-server options (each flag absent from the command line is read from EDGECACHE_<FLAG>, upper "
      "case with underscores, e.g. EDGECACHE_HEARTBEAT_INTERVAL_MS)");
  auto text = [](const std::string& value) {
    // An empty default would print as nothing at all in --help; show it as "" so every default is visible.
    return value.empty() ? po::value<std::string>()->default_value(value, "\"\"")
                         : po::value<std::string>()->default_value(value);
  };
  auto required_text = [] { return po::value<std::string>(); };
  // clang-format off
  options.add_options()
    ("help", "print this help and exit")
    ("role", required_text(), "canonical | edge (required)")
    ("id", required_text(), "this node's id, 1..999999 (required)")
    ("listen", required_text(), "host:port for the binary peer protocol (required)")
    ("http-listen", text(""), "host:port for HTTP clients; empty disables HTTP")
    ("peers", text(""), "every edge as id=host:port,id=host:port,... (required)")
    ("canonical", text(""), "the canonical as id=host:port (required for edges)")
    ("images-dir", text(""), "canonical: directory of image{N}.jpg/.png/.gif/.webp files (required for the canonical)")
    ("cache-bytes", text(std::to_string(256ULL * 1024 * 1024)), "edge: cache budget in bytes")
    ("data-dir", text(""), "edge: directory for the disk copy of the cache (survives restarts); empty keeps it in memory only")
    ("protocol", text("standard"), "edge protocol: standard | classic")
    ("cluster-key-file", text(""), "file holding the cluster key (at least 32 bytes, e.g. from `openssl rand -hex 32`) that authenticates every peer link; required unless --insecure-peers")
    ("insecure-peers", po::value<std::string>()->implicit_value("true")->default_value("false"),
     "run peer links without authentication: anyone who reaches the peer port can act as a node (true | false)");
  // clang-format on
  for (const EdgeConfigField& field : edge_config_fields()) {
    const std::string help = std::string(field.doc) + " (" + std::string(field.unit) + ")";
    options.add_options()(field.flag_name().c_str(), text(std::to_string(field.get(defaults))), help.c_str());
  }
  // clang-format off
  options.add_options()
    ("log-level", text("info"), "debug | info | warn | error")
    ("log-format", text("human"), "human (one short sentence per event) | json (one JSON object per line, for log collectors)")
    ("trace", text(""), "write this node's trace (JSON Lines, docs/real-traces.md) to this file; empty records none");
  // clang-format on
  return options;
}

void read_peer_security(const po::variables_map& values, DaemonConfig& config) {
  config.cluster_key_file = option_text(values, "cluster-key-file");
  const std::string insecure = option_text(values, "insecure-peers");
  if (insecure == "true" || insecure == "1") {
    config.insecure_peers = true;
  } else if (insecure != "false" && insecure != "0") {
    bad_flag("insecure-peers", "expected true or false, got '" + insecure + "'");
  }
  if (config.insecure_peers && !config.cluster_key_file.empty()) {
    bad_flag("insecure-peers", "contradicts --cluster-key-file: give one or the other");
  }
  if (!config.insecure_peers && config.cluster_key_file.empty()) {
    bad_flag("cluster-key-file", "is required: peer links are authenticated with a cluster key (docs/protocol.md); "
                                 "pass --insecure-peers to run without one");
  }
}

DaemonConfig build_node_config(const po::variables_map& values) {
  DaemonConfig config;
  config.trace_path = option_text(values, "trace");
  const std::string role = option_text(values, "role");
  if (role == "canonical") {
    config.role = DaemonRole::canonical;
  } else if (role == "edge") {
    config.role = DaemonRole::edge;
  } else {
    bad_flag("role", role.empty() ? "is required (canonical or edge)" : "expected canonical or edge, got '" + role + "'");
  }
  if (values.count("id") == 0) bad_flag("id", "is required");
  config.id = parse_node_id("id", values["id"].as<std::string>());
  if (values.count("listen") == 0) bad_flag("listen", "is required");
  config.listen = parse_address_flag("listen", values["listen"].as<std::string>());
  if (const std::string http = option_text(values, "http-listen"); !http.empty()) {
    config.http_listen = parse_address_flag("http-listen", http);
  }

  config.edges = parse_members("peers", option_text(values, "peers"));
  if (config.edges.empty()) bad_flag("peers", "is required: list every edge as id=host:port,...");

  const std::string canonical = option_text(values, "canonical");
  if (!canonical.empty()) {
    auto [id, address] = parse_member("canonical", canonical);
    config.canonical_id = id;
    config.canonical_address = address;
  }

  const std::optional<LogLevel> level = parse_log_level(option_text(values, "log-level"));
  if (!level) bad_flag("log-level", "expected debug, info, warn or error, got '" + option_text(values, "log-level") + "'");
  config.log_level = *level;
  const std::optional<LogFormat> format = parse_log_format(option_text(values, "log-format"));
  if (!format) bad_flag("log-format", "expected human or json, got '" + option_text(values, "log-format") + "'");
  config.log_format = *format;

  if (config.role == DaemonRole::canonical) {
    if (config.canonical_address && config.canonical_id != config.id) {
      bad_flag("canonical", "names id " + std::to_string(config.canonical_id) + " but this canonical's --id is " +
                                std::to_string(config.id));
    }
    config.canonical_id = config.id;
    if (config.edges.count(config.id) != 0) bad_flag("peers", "lists the canonical's own id as an edge");
    config.images_dir = option_text(values, "images-dir");
    if (config.images_dir.empty()) bad_flag("images-dir", "is required for the canonical");
    return config;
  }

  if (!config.canonical_address) bad_flag("canonical", "is required for an edge: id=host:port");
  if (config.edges.count(config.id) == 0) bad_flag("peers", "must list this edge's own id " + std::to_string(config.id));
  if (config.edges.count(config.canonical_id) != 0) bad_flag("canonical", "id is also listed as an edge in --peers");
  config.cache_bytes = parse_unsigned("cache-bytes", option_text(values, "cache-bytes"), 1,
                                      std::numeric_limits<std::uint64_t>::max());
  config.data_dir = option_text(values, "data-dir");

  EdgeConfig& edge = config.edge;
  edge.canonical = config.canonical_id;
  for (const auto& [id, address] : config.edges) edge.edges.push_back(id);
  const std::string protocol = option_text(values, "protocol");
  if (protocol == "standard") {
    edge.protocol = Protocol::standard;
  } else if (protocol == "classic") {
    edge.protocol = Protocol::classic;
  } else {
    bad_flag("protocol", "expected standard or classic, got '" + protocol + "'");
  }
  read_edge_setting_flags(values, edge);
  return config;
}

DaemonConfig build_config(const po::variables_map& values) {
  DaemonConfig config = build_node_config(values);
  // Checked last, so a configuration that is wrong in other ways names those flags first.
  read_peer_security(values, config);
  return config;
}

}  // namespace

std::string Address::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::optional<Address> parse_address(const std::string& text) {
  std::string host;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) return std::nullopt;  // A bare IPv6 address needs brackets.
  }
  const std::optional<std::uint64_t> port = parse_decimal_in(port_text, 1, 65535);
  if (host.empty() || !port) return std::nullopt;
  return Address{host, static_cast<std::uint16_t>(*port)};
}

const char* daemon_role_name(DaemonRole role) {
  switch (role) {
    case DaemonRole::canonical: return "canonical";
    case DaemonRole::edge: return "edge";
  }
  return "unknown";
}

std::string environment_name(const std::string& flag) {
  std::string name = "EDGECACHE_";
  for (char c : flag) name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

ConfigResult parse_daemon_config(const std::vector<std::string>& args, const EnvironmentLookup& lookup) {
  const po::options_description options = make_options();
  try {
    // First pass: which flags did the command line give? Only the others may come from the environment,
    // so the command line always wins and no flag is ever given twice.
    const po::parsed_options given = po::command_line_parser(args).options(options).run();
    std::set<std::string> given_flags;
    for (const po::option& option : given.options) given_flags.insert(option.string_key);

    std::vector<std::string> all_args = args;
    for (const auto& description : options.options()) {
      const std::string& flag = description->long_name();
      if (flag == "help" || given_flags.count(flag) != 0) continue;
      if (std::optional<std::string> value = lookup(environment_name(flag))) all_args.push_back("--" + flag + "=" + *value);
    }

    po::variables_map values;
    po::store(po::command_line_parser(all_args).options(options).run(), values);
    po::notify(values);
    if (values.count("help") != 0) {
      std::ostringstream text;
      text << options;
      return ConfigHelp{text.str()};
    }
    return build_config(values);
  } catch (const BadFlag& bad) {
    return ConfigError{bad.message};
  } catch (const po::error& error) {
    return ConfigError{error.what()};
  }
}

}  // namespace edgecache::net
