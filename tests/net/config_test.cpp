// Tests of daemon configuration parsing (net/config.cpp). Method: call the parser with argument vectors and
// a fake environment lookup, so no test touches the real environment, and check both the parsed values and
// that every bad value is reported naming its flag.

#include <catch2/catch.hpp>

#include "net/config.h"

namespace edgecache::net {
namespace {

EnvironmentLookup environment(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

const std::vector<std::string> edge_args = {"--role", "edge", "--id", "2", "--listen", "0.0.0.0:7000",
                                            "--peers", "1=edge1:7000,2=edge2:7000,3=edge3:7000",
                                            "--canonical", "100=canonical:7000",
                                            "--cluster-key-file", "/run/secrets/cluster.key"};

std::string error_of(const ConfigResult& result) {
  REQUIRE(std::holds_alternative<ConfigError>(result));
  return std::get<ConfigError>(result).message;
}

}  // namespace

TEST_CASE("an edge configuration parses with EdgeConfig defaults", "[net][config]") {
  const ConfigResult result = parse_daemon_config(edge_args, environment({}));
  REQUIRE(std::holds_alternative<DaemonConfig>(result));
  const DaemonConfig& config = std::get<DaemonConfig>(result);
  CHECK(config.role == DaemonRole::edge);
  CHECK(config.id == 2);
  CHECK(config.edges.size() == 3);
  CHECK(config.edges.at(3) == Address{"edge3", 7000});
  CHECK(config.edge.canonical == 100);
  CHECK(config.edge.edges == std::vector<NodeId>{1, 2, 3});
  CHECK(config.edge.heartbeat_interval_ms == EdgeConfig{}.heartbeat_interval_ms);
  CHECK_FALSE(config.http_listen);
}

TEST_CASE("environment variables fill in absent flags, and the command line wins", "[net][config]") {
  std::vector<std::string> args = edge_args;
  args.push_back("--heartbeat-interval-ms=50");
  const ConfigResult result = parse_daemon_config(
      args, environment({{"EDGECACHE_HEARTBEAT_INTERVAL_MS", "70"}, {"EDGECACHE_LEADER_TIMEOUT_MS", "900"},
                         {"EDGECACHE_HTTP_LISTEN", "0.0.0.0:8080"}}));
  REQUIRE(std::holds_alternative<DaemonConfig>(result));
  const DaemonConfig& config = std::get<DaemonConfig>(result);
  CHECK(config.edge.heartbeat_interval_ms == 50);
  CHECK(config.edge.leader_timeout_ms == 900);
  REQUIRE(config.http_listen);
  CHECK(config.http_listen->port == 8080);
  CHECK(environment_name("anti-entropy-interval-ms") == "EDGECACHE_ANTI_ENTROPY_INTERVAL_MS");
}

TEST_CASE("logs are human lines unless --log-format or EDGECACHE_LOG_FORMAT asks for JSON", "[net][config]") {
  auto format_of = [](const std::vector<std::string>& extra, std::map<std::string, std::string> variables) {
    std::vector<std::string> args = edge_args;
    args.insert(args.end(), extra.begin(), extra.end());
    const ConfigResult result = parse_daemon_config(args, environment(std::move(variables)));
    REQUIRE(std::holds_alternative<DaemonConfig>(result));
    return std::get<DaemonConfig>(result).log_format;
  };
  CHECK(format_of({}, {}) == LogFormat::human);
  CHECK(format_of({"--log-format=json"}, {}) == LogFormat::json);
  CHECK(format_of({}, {{"EDGECACHE_LOG_FORMAT", "json"}}) == LogFormat::json);
  CHECK(format_of({"--log-format=human"}, {{"EDGECACHE_LOG_FORMAT", "json"}}) == LogFormat::human);
}

TEST_CASE("bad values are errors that name the flag", "[net][config]") {
  auto with = [](std::vector<std::string> extra) {
    std::vector<std::string> args = edge_args;
    args.insert(args.end(), extra.begin(), extra.end());
    return parse_daemon_config(args, environment({}));
  };
  CHECK_THAT(error_of(with({"--heartbeat-interval-ms=-5"})), Catch::Contains("--heartbeat-interval-ms"));
  CHECK_THAT(error_of(with({"--cache-bytes=lots"})), Catch::Contains("--cache-bytes"));
  CHECK_THAT(error_of(with({"--http-listen=nohostport"})), Catch::Contains("--http-listen"));
  CHECK_THAT(error_of(with({"--http-listen=host:70000"})), Catch::Contains("--http-listen"));
  CHECK_THAT(error_of(with({"--leader-timeout-ms=50"})), Catch::Contains("--leader-timeout-ms"));
  CHECK_THAT(error_of(with({"--log-level=loud"})), Catch::Contains("--log-level"));
  CHECK_THAT(error_of(with({"--log-format=xml"})), Catch::Contains("--log-format"));
  CHECK_THAT(error_of(with({"--no-such-flag=1"})), Catch::Contains("no-such-flag"));
  CHECK_THAT(error_of(parse_daemon_config({"--role", "edge", "--id", "4000000", "--listen", "a:1"}, environment({}))),
             Catch::Contains("--id"));
  CHECK_THAT(error_of(parse_daemon_config({"--role", "edge", "--id", "9", "--listen", "a:1", "--peers", "1=a:2",
                                           "--canonical", "100=c:1"},
                                          environment({}))),
             Catch::Contains("--peers"));
  CHECK_THAT(error_of(parse_daemon_config({"--role", "canonical", "--id", "100", "--listen", "a:1", "--peers", "1=a:2"},
                                          environment({}))),
             Catch::Contains("--images-dir"));
}

TEST_CASE("peer links need a cluster key file unless --insecure-peers says otherwise", "[net][config]") {
  std::vector<std::string> keyless(edge_args.begin(), edge_args.end() - 2);
  CHECK_THAT(error_of(parse_daemon_config(keyless, environment({}))), Catch::Contains("--cluster-key-file"));

  const ConfigResult with_key = parse_daemon_config(edge_args, environment({}));
  REQUIRE(std::holds_alternative<DaemonConfig>(with_key));
  CHECK(std::get<DaemonConfig>(with_key).cluster_key_file == "/run/secrets/cluster.key");
  CHECK_FALSE(std::get<DaemonConfig>(with_key).insecure_peers);

  auto insecure = [&](std::vector<std::string> extra, std::map<std::string, std::string> variables) {
    std::vector<std::string> args = keyless;
    args.insert(args.end(), extra.begin(), extra.end());
    return parse_daemon_config(args, environment(std::move(variables)));
  };
  for (const ConfigResult& result : {insecure({"--insecure-peers"}, {}), insecure({"--insecure-peers=true"}, {}),
                                     insecure({}, {{"EDGECACHE_INSECURE_PEERS", "1"}})}) {
    REQUIRE(std::holds_alternative<DaemonConfig>(result));
    CHECK(std::get<DaemonConfig>(result).insecure_peers);
    CHECK(std::get<DaemonConfig>(result).cluster_key_file.empty());
  }
  CHECK_THAT(error_of(insecure({"--insecure-peers=maybe"}, {})), Catch::Contains("--insecure-peers"));
  CHECK_THAT(error_of(insecure({"--insecure-peers=false"}, {})), Catch::Contains("--cluster-key-file"));
  std::vector<std::string> both = edge_args;
  both.push_back("--insecure-peers");
  CHECK_THAT(error_of(parse_daemon_config(both, environment({}))), Catch::Contains("--insecure-peers"));
}

TEST_CASE("--help lists every flag", "[net][config]") {
  const ConfigResult result = parse_daemon_config({"--help"}, environment({}));
  REQUIRE(std::holds_alternative<ConfigHelp>(result));
  const std::string& text = std::get<ConfigHelp>(result).text;
  for (const char* flag : {"--role", "--id", "--listen", "--http-listen", "--peers", "--canonical", "--images-dir",
                           "--cache-bytes", "--heartbeat-interval-ms", "--leader-timeout-ms", "--answer-timeout-ms",
                           "--coordinator-timeout-ms", "--origin-timeout-ms", "--pull-timeout-ms",
                           "--anti-entropy-interval-ms", "--log-level", "--log-format", "--cluster-key-file",
                           "--insecure-peers"}) {
    CHECK_THAT(text, Catch::Contains(flag));
  }
}

}  // namespace edgecache::net
