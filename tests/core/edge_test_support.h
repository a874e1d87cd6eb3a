#pragma once
// A small harness for driving one Edge by hand: three edges (ids 1, 2, 3), a canonical (id 10) and clients
// (ids 20+), a TestEnv, and helpers to make bodies and replies.

#include <memory>

#include "core/edge.h"
#include "core/lru_cache.h"
#include "tests/core/test_env.h"

namespace edgecache::test {

constexpr NodeId canonical_id = 10;
constexpr NodeId client_a = 20;
constexpr NodeId client_b = 21;

inline Body body_of_size(std::size_t size, std::uint8_t fill = 7) {
  return make_body(std::vector<std::uint8_t>(size, fill));
}

struct EdgeHarness {
  explicit EdgeHarness(NodeId self, std::uint64_t budget_bytes = 1 << 20, Protocol protocol = Protocol::standard)
      : env(self), cache(budget_bytes), edge(env, make_config(protocol), cache) {}

  static EdgeConfig make_config(Protocol protocol) {
    EdgeConfig config;
    config.canonical = canonical_id;
    config.edges = {1, 2, 3};
    config.protocol = protocol;
    return config;
  }

  // Makes the edge a follower of `leader` at `epoch`, as if the election had run; forgets what it sent.
  void follow(NodeId leader, Epoch epoch) {
    edge.on_message(leader, Coordinator{epoch});
    env.take_sent();
  }

  // Misses `image_id` on behalf of client_a and returns the origin fetch the miss starts; forgets what was sent.
  GetImage miss(ImageId image_id) {
    edge.on_message(client_a, GetImage{next_client_request_id++, image_id, false});
    GetImage fetch = env.sent_of<GetImage>().at(0).second;
    env.take_sent();
    return fetch;
  }

  ImageReply origin_reply_for(const GetImage& request, const Body& body) const {
    return ImageReply{request.request_id, request.image_id, Status::ok, body->checksum(), body};
  }

  TestEnv env;
  LruCache cache;
  Edge edge;
  RequestId next_client_request_id = 1;
};

}  // namespace edgecache::test
