// The edgecache-client binary against a real cluster on loopback. Method: start the cluster (as in
// cluster_test.cpp), run the client as a child process the way a user would, and check its exit code, its
// output and the files it writes; then run a 1,000-request load while SIGKILLing the leader, where failover
// must leave no request failed.

#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/net/cluster_harness.h"

namespace edgecache::net::testing {
namespace {

using std::chrono::milliseconds;

std::string edges_flag(const Cluster& cluster) {
  std::string edges;
  for (std::uint32_t edge = 1; edge <= Cluster::edge_count; ++edge) {
    if (!edges.empty()) edges += ",";
    edges += "127.0.0.1:" + std::to_string(cluster.http_port(edge));
  }
  return "--edges=" + edges;
}

struct ClientRun {
  std::optional<int> exit_code;
  std::string output;
};

ClientRun run_client(const Cluster& cluster, std::vector<std::string> arguments, const std::string& log_name,
                     milliseconds timeout = milliseconds(20000)) {
  arguments.insert(arguments.begin(), {EDGECACHE_CLIENT_BINARY, edges_flag(cluster)});
  const std::string log = cluster.directory() + "/" + log_name;
  ChildProcess client(arguments, log);
  ClientRun run;
  run.exit_code = client.wait_for_exit(timeout);
  run.output = read_file(log);
  return run;
}

}  // namespace

TEST_CASE("client: get, size and status over HTTP and RPC", "[net][client]") {
  START_CLUSTER(cluster);
  const std::string image_file = cluster.directory() + "/got5.jpg";
  const ClientRun get = run_client(cluster, {"get", "5", "-o", image_file}, "get.log");
  INFO(get.output);
  REQUIRE(get.exit_code == std::optional<int>(0));
  CHECK(read_file(image_file) == std::string(cluster.image(5).begin(), cluster.image(5).end()));
  // Image 5 routes to edge index 5 mod 3 = 2, which is edge 3; the client names it by its address.
  CHECK(get.output.find("from 127.0.0.1:" + std::to_string(cluster.http_port(3)) + ",") != std::string::npos);

  const ClientRun rpc_get = run_client(cluster, {"--protocol=rpc", "--output-dir", cluster.directory(), "get", "2"}, "rpc_get.log");
  INFO(rpc_get.output);
  REQUIRE(rpc_get.exit_code == std::optional<int>(0));
  CHECK(read_file(cluster.directory() + "/downloaded_image_2.jpg") ==
        std::string(cluster.image(2).begin(), cluster.image(2).end()));

  for (const std::string protocol : {"http", "rpc"}) {
    const ClientRun size = run_client(cluster, {"--protocol=" + protocol, "size", "5"}, "size_" + protocol + ".log");
    INFO(size.output);
    CHECK(size.exit_code == std::optional<int>(0));
    CHECK(size.output.find(std::to_string(cluster.image(5).size()) + " bytes") != std::string::npos);
    const ClientRun missing = run_client(cluster, {"--protocol=" + protocol, "get", "999"}, "missing_" + protocol + ".log");
    CHECK(missing.exit_code == std::optional<int>(3));
    CHECK(missing.output.find("not found") != std::string::npos);
  }

  const ClientRun status = run_client(cluster, {"status"}, "status.log");
  INFO(status.output);
  CHECK(status.exit_code == std::optional<int>(0));
  CHECK(status.output.find("leader") != std::string::npos);
  CHECK(status.output.find("follower") != std::string::npos);

  // The original's menu, fed from a pipe: get image 1, ask the size of image 3, exit.
  const std::string menu_log = cluster.directory() + "/menu.log";
  ChildProcess menu({"/bin/sh", "-c",
                     "printf '1\\n1\\n2\\n3\\n3\\n' | " + std::string(EDGECACHE_CLIENT_BINARY) + " " + edges_flag(cluster) +
                         " --output-dir " + cluster.directory()},
                    menu_log);
  CHECK(menu.wait_for_exit(milliseconds(20000)) == std::optional<int>(0));
  const std::string menu_output = read_file(menu_log);
  INFO(menu_output);
  CHECK(menu_output.find("1) get_image") != std::string::npos);
  CHECK(menu_output.find("image 3: " + std::to_string(cluster.image(3).size()) + " bytes") != std::string::npos);
  CHECK(read_file(cluster.directory() + "/downloaded_image_1.jpg") ==
        std::string(cluster.image(1).begin(), cluster.image(1).end()));

  const ClientRun bad = run_client(cluster, {"--routing=random", "status"}, "bad.log");
  CHECK(bad.exit_code == std::optional<int>(2));
  CHECK(bad.output.find("--routing") != std::string::npos);
}

TEST_CASE("client: 1,000 requests under load lose none when the leader is SIGKILLed", "[net][client]") {
  START_CLUSTER(cluster);
  const std::string log = cluster.directory() + "/load.log";
  // 250 requests/s for 1,000 requests: about 4 s, with the leader killed after the first second.
  ChildProcess load({EDGECACHE_CLIENT_BINARY, edges_flag(cluster), "load", "--requests=1000", "--rate=250",
                     "--concurrency=8", "--images=5", "--ids=zipf", "--duration-s=60"},
                    log);
  struct timespec pause{1, 0};
  nanosleep(&pause, nullptr);
  cluster.process(3).signal(SIGKILL);
  REQUIRE(cluster.process(3).wait_for_exit(milliseconds(2000)));
  const std::optional<int> exit_code = load.wait_for_exit(milliseconds(30000));
  const std::string output = read_file(log);
  INFO(output);
  INFO(cluster.logs());
  CHECK(exit_code == std::optional<int>(0));
  CHECK(output.find("requests      1000 ") != std::string::npos);
  CHECK(output.find("ok 1000") != std::string::npos);
  CHECK(output.find("verified      1000 bodies") != std::string::npos);
}

}  // namespace edgecache::net::testing
