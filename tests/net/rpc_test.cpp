// The original system's RPC on the client ports. Method: start a real cluster on loopback (as in
// cluster_test.cpp) and speak the original protocol to the canonical and to every edge with a test client
// written from the protocol's description; check replies byte for byte against the images on disk, then send
// each kind of bad input and check it gets a clear error or a closed connection while the daemon keeps
// serving both protocols.

#include <random>

#include <catch2/catch.hpp>

#include "tests/net/cluster_harness.h"
#include "tests/net/rpc_test_client.h"

namespace edgecache::net::testing {
namespace {

using std::chrono::milliseconds;

std::string as_string(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

}  // namespace

TEST_CASE("rpc: get_image and get_image_size work on the canonical and on every edge", "[net][rpc]") {
  START_CLUSTER(cluster);
  for (std::uint32_t node : {Cluster::canonical_id, 1u, 2u, 3u}) {
    for (std::uint64_t id : {1u, 2u, 5u}) {
      INFO("node " << node << " image " << id);
      const RpcReply image = rpc_call(cluster.http_port(node), "get_image", "[" + std::to_string(id) + "]");
      REQUIRE(image.complete);
      CHECK(image.clock == 0);
      REQUIRE(image.image);
      CHECK(*image.image == as_string(cluster.image(id)));
      const RpcReply size = rpc_call(cluster.http_port(node), "get_image_size", "[" + std::to_string(id) + "]");
      REQUIRE(size.complete);
      CHECK(size.clock == 0);
      CHECK(size.size == std::optional<std::uint64_t>(cluster.image(id).size()));
    }
  }
  // An id given as a string, as a client reading it from a prompt might send it.
  const RpcReply quoted = rpc_call(cluster.http_port(1), "get_image", "[\"3\"]");
  REQUIRE(quoted.image);
  CHECK(*quoted.image == as_string(cluster.image(3)));
  INFO(cluster.logs());
  // HTTP still works on the same port after RPC connections.
  CHECK(http_request(cluster.http_port(1), "GET", "/images/1").status == 200);
}

TEST_CASE("rpc: errors come back as {\"error\": ...} after a zero clock", "[net][rpc]") {
  START_CLUSTER(cluster);
  for (std::uint32_t node : {Cluster::canonical_id, 2u}) {
    INFO("node " << node);
    const std::uint16_t port = cluster.http_port(node);
    const RpcReply unknown_id = rpc_call(port, "get_image", "[999]");
    REQUIRE(unknown_id.complete);
    CHECK(unknown_id.clock == 0);
    REQUIRE(unknown_id.error);
    CHECK(unknown_id.error->find("not found") != std::string::npos);

    const RpcReply unknown_size = rpc_call(port, "get_image_size", "[999]");
    REQUIRE(unknown_size.error);
    CHECK(unknown_size.error->find("not found") != std::string::npos);

    const RpcReply unknown_function = rpc_call(port, "delete_image", "[1]");
    REQUIRE(unknown_function.error);
    CHECK(unknown_function.error->find("unknown function") != std::string::npos);

    const RpcReply bad_json = rpc_raw(port, rpc_frame("{\"function\": \"get_image\", \"args\": [1"));
    REQUIRE(bad_json.error);
    CHECK(bad_json.error->find("JSON") != std::string::npos);

    const RpcReply bad_args = rpc_call(port, "get_image", "[-1]");
    REQUIRE(bad_args.error);
    const RpcReply no_args = rpc_call(port, "get_image", "[]");
    REQUIRE(no_args.error);
    const RpcReply bad_id = rpc_call(port, "get_image", "[\"../etc/passwd\"]");
    REQUIRE(bad_id.error);
    CHECK(bad_id.error->find("malformed image id") != std::string::npos);
  }
}

TEST_CASE("rpc: a huge length, random bytes and a silent client are refused and the daemon keeps serving", "[net][rpc]") {
  START_CLUSTER(cluster);
  const std::uint16_t port = cluster.http_port(1);

  // A length of 2^63: refused from the length alone, before any body is read, with the reply still delivered.
  std::string huge(8, '\0');
  huge[7] = static_cast<char>(0x80);
  const RpcReply refused = rpc_raw(port, huge + "{\"function\": \"get_image\"}", milliseconds(3000));
  REQUIRE(refused.complete);
  REQUIRE(refused.error);
  CHECK(refused.error->find("length") != std::string::npos);

  // A length of zero.
  const RpcReply empty = rpc_raw(port, std::string(8, '\0'), milliseconds(3000));
  REQUIRE(empty.error);

  // Random bytes, several seeds; each connection ends with an error reply or a close, never a hang.
  std::mt19937_64 random(20261127);
  for (int round = 0; round < 20; ++round) {
    std::string bytes(64 + round * 37, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random() & 0xFF);
    CHECK(send_raw_and_wait_for_close(port, bytes, milliseconds(12000)));
  }

  // A length promising more than is sent: the read deadline closes the connection.
  CHECK(send_raw_and_wait_for_close(port, rpc_frame(std::string(100, ' ')).substr(0, 20), milliseconds(15000)));

  INFO(cluster.logs());
  CHECK(cluster.process(1).running());
  const RpcReply image = rpc_call(port, "get_image", "[4]");
  REQUIRE(image.image);
  CHECK(*image.image == as_string(cluster.image(4)));
  CHECK(http_request(port, "GET", "/images/4").status == 200);
}

}  // namespace edgecache::net::testing
