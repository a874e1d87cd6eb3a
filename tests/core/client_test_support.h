#pragma once
// What the client tests share: a Client driven through TestEnv with three edges, the configurations they
// start from, and helpers to read what the client sent and to answer it.

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "core/client.h"
#include "tests/core/test_env.h"

namespace edgecache::testing {

inline constexpr NodeId client_id = 100;
inline const std::vector<NodeId> three_edges = {1, 2, 3};

inline ClientConfig default_config() {
  ClientConfig config;
  config.edges = three_edges;
  config.routing = RoutingMode::modulo;
  config.attempt_timeout_ms = 500;
  config.request_deadline_ms = 3000;
  config.hedging = false;
  config.passive_health = false;
  return config;
}

inline ClientConfig hedging_config() {
  ClientConfig config = default_config();
  config.hedging = true;
  config.passive_health = true;
  config.ejection_ms = 250;
  config.max_ejection_ms = 1000;
  return config;
}

inline Body image_body(std::uint8_t fill = 0x5A) { return make_body(std::vector<std::uint8_t>(64, fill)); }

struct Harness {
  explicit Harness(ClientConfig config = default_config())
      : client(env, std::move(config), [this](const ClientResult& result) { results.push_back(result); }) {}

  // Returns the one message sent since the last call, checking there was exactly one.
  test::TestEnv::Sent only_sent() {
    std::vector<test::TestEnv::Sent> sent = env.take_sent();
    REQUIRE(sent.size() == 1);
    return sent[0];
  }

  // Returns the GetImage the client just sent and to whom, checking there was exactly one message.
  std::pair<NodeId, GetImage> sent_get_image() {
    const test::TestEnv::Sent sent = only_sent();
    REQUIRE(std::holds_alternative<GetImage>(sent.message));
    return {sent.to, std::get<GetImage>(sent.message)};
  }

  void reply_ok(NodeId from, const GetImage& request, const Body& body) {
    client.on_message(from, ImageReply{request.request_id, request.image_id, Status::ok, body->checksum(), body});
  }
  void reply_status(NodeId from, const GetImage& request, Status status) {
    client.on_message(from, ImageReply{request.request_id, request.image_id, status, 0, nullptr});
  }

  test::TestEnv env{client_id};
  std::vector<ClientResult> results;
  Client client;
};


}  // namespace edgecache::testing
