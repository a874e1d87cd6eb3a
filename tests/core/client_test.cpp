// Tests for the client library. Method: a Client is driven through TestEnv with three edges. Each test submits
// requests, answers the GetImage/GetSize messages the client sent (or lets timers fire), and checks which edge
// was asked next, which timers run, and the single result handed to the caller. These tests turn hedging
// and passive health checking off, so one attempt is in flight at a time (client_hedging_test.cpp turns
// them on). A rapidcheck property then plays random interleavings of good, bad, stale and duplicated
// replies and timer firings against many requests, with both habits on or off, and requires exactly one
// result per request, none later than its deadline, and no timer left.

#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <map>

#include "core/client.h"
#include "tests/core/client_test_support.h"

namespace edgecache {
namespace {

using testing::client_id;
using testing::default_config;
using testing::Harness;
using testing::image_body;
using testing::three_edges;

TEST_CASE("client sends the first attempt to the routed edge and arms both timers", "[core][client]") {
  Harness harness;
  harness.client.submit(ClientRequest{7, RequestKind::get_image, 4});
  const auto [to, request] = harness.sent_get_image();
  // 4 mod 3 = 1, so the second configured edge goes first.
  CHECK(to == 2);
  CHECK(request.image_id == 4);
  CHECK_FALSE(request.cache_only);
  CHECK(harness.client.pending_count() == 1);
  // Attempt timers are keyed by the attempt's wire id, deadlines by the caller's request id.
  const std::optional<TimerId> attempt = harness.env.find_timer(TimerKind::attempt_timeout, request.request_id);
  const std::optional<TimerId> deadline = harness.env.find_timer(TimerKind::request_deadline, 7);
  REQUIRE(attempt.has_value());
  REQUIRE(deadline.has_value());
  CHECK(harness.env.timers.at(*attempt).due_us == ms_to_us(500));
  CHECK(harness.env.timers.at(*deadline).due_us == ms_to_us(3000));
  CHECK(harness.results.empty());
}

TEST_CASE("client reports an ok image with body, size, server, attempts and latency", "[core][client]") {
  Harness harness;
  harness.env.advance_to(1000, harness.client);
  harness.client.submit(ClientRequest{7, RequestKind::get_image, 3});
  const auto [to, request] = harness.sent_get_image();
  CHECK(to == 1);
  harness.env.advance_to(1250, harness.client);
  const Body body = image_body();
  harness.reply_ok(to, request, body);

  REQUIRE(harness.results.size() == 1);
  const ClientResult& result = harness.results[0];
  CHECK(result.id == 7);
  CHECK(result.kind == RequestKind::get_image);
  CHECK(result.image_id == 3);
  CHECK(result.outcome == Outcome::ok);
  CHECK(result.body == body);
  CHECK(result.size_bytes == 64);
  CHECK(result.served_by == 1);
  CHECK(result.attempts == 1);
  CHECK(result.latency_us == 250);
  CHECK(harness.client.pending_count() == 0);
  CHECK(harness.env.timers.empty());
}

TEST_CASE("client fails over on unavailable, corrupt, bodiless and mismatched replies", "[core][client]") {
  Harness harness;
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  auto [first, first_request] = harness.sent_get_image();
  CHECK(first == 1);

  std::pair<NodeId, GetImage> second;
  SECTION("unavailable") { harness.reply_status(first, first_request, Status::unavailable); }
  SECTION("a body that does not match its checksum") {
    const Body body = image_body();
    harness.client.on_message(first, ImageReply{first_request.request_id, 0, Status::ok, body->checksum() + 1, body});
  }
  SECTION("an ok reply without a body") {
    harness.client.on_message(first, ImageReply{first_request.request_id, 0, Status::ok, 0, nullptr});
  }
  SECTION("a reply for another image") {
    const Body body = image_body();
    harness.client.on_message(first, ImageReply{first_request.request_id, 9, Status::ok, body->checksum(), body});
  }
  SECTION("a size reply to an image request") {
    harness.client.on_message(first, SizeReply{first_request.request_id, 0, Status::ok, 64});
  }
  second = harness.sent_get_image();
  CHECK(second.first == 2);
  CHECK(second.second.request_id != first_request.request_id);
  CHECK(harness.results.empty());
  // The previous attempt's timer was replaced, not added to.
  CHECK(harness.env.count_timers(TimerKind::attempt_timeout) == 1);
  CHECK(harness.env.count_timers(TimerKind::request_deadline) == 1);

  harness.reply_ok(second.first, second.second, image_body());
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].outcome == Outcome::ok);
  CHECK(harness.results[0].served_by == 2);
  CHECK(harness.results[0].attempts == 2);
}

TEST_CASE("client reports unavailable after every edge fails", "[core][client]") {
  Harness harness;
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 2});
  std::vector<NodeId> asked;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto [to, request] = harness.sent_get_image();
    asked.push_back(to);
    harness.reply_status(to, request, Status::unavailable);
  }
  CHECK(asked == std::vector<NodeId>{3, 1, 2});
  CHECK(harness.env.sent.empty());
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].outcome == Outcome::unavailable);
  CHECK(harness.results[0].attempts == 3);
  CHECK(harness.results[0].served_by == 0);
  CHECK(harness.results[0].body == nullptr);
  CHECK(harness.env.timers.empty());
}

TEST_CASE("client reports not_found at once without trying other edges", "[core][client]") {
  Harness harness;
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [to, request] = harness.sent_get_image();
  harness.reply_status(to, request, Status::not_found);
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].outcome == Outcome::not_found);
  CHECK(harness.results[0].served_by == to);
  CHECK(harness.env.sent.empty());
  CHECK(harness.env.timers.empty());
}

TEST_CASE("client moves to the next edge when an attempt times out", "[core][client]") {
  Harness harness;
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  CHECK(harness.sent_get_image().first == 1);
  harness.env.advance_to(ms_to_us(500) - 1, harness.client);
  CHECK(harness.env.sent.empty());
  harness.env.advance_to(ms_to_us(500), harness.client);
  CHECK(harness.sent_get_image().first == 2);
  harness.env.advance_to(ms_to_us(1000), harness.client);
  CHECK(harness.sent_get_image().first == 3);
  CHECK(harness.results.empty());
  harness.env.advance_to(ms_to_us(1500), harness.client);
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].outcome == Outcome::unavailable);
  CHECK(harness.results[0].attempts == 3);
  CHECK(harness.results[0].latency_us == ms_to_us(1500));
  CHECK(harness.env.timers.empty());
}

TEST_CASE("client gives up at the deadline even with an attempt in flight", "[core][client]") {
  ClientConfig config = default_config();
  config.attempt_timeout_ms = 2000;
  config.request_deadline_ms = 3000;
  Harness harness(config);
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  harness.env.take_sent();
  harness.env.advance_to(ms_to_us(2000), harness.client);
  const auto [to, request] = harness.sent_get_image();
  CHECK(to == 2);
  harness.env.advance_to(ms_to_us(3000), harness.client);
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].outcome == Outcome::unavailable);
  CHECK(harness.results[0].attempts == 2);
  CHECK(harness.results[0].latency_us == ms_to_us(3000));
  CHECK(harness.env.timers.empty());
  // The late answer of the edge in flight changes nothing.
  harness.reply_ok(to, request, image_body());
  CHECK(harness.results.size() == 1);
  CHECK(harness.env.sent.empty());
}

TEST_CASE("client ignores stale, duplicate, unknown and misdirected replies", "[core][client]") {
  Harness harness;
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [first, first_request] = harness.sent_get_image();
  harness.env.advance_to(ms_to_us(500), harness.client);
  const auto [second, second_request] = harness.sent_get_image();

  // The first edge answers after the client moved on: its wire id is stale.
  harness.reply_ok(first, first_request, image_body());
  harness.reply_status(first, first_request, Status::unavailable);
  // An id the client never used.
  harness.client.on_message(second, ImageReply{999, 0, Status::unavailable, 0, nullptr});
  // The current wire id, but from a node that was not asked.
  harness.reply_status(3, second_request, Status::unavailable);
  // Messages a client has no use for.
  harness.client.on_message(second, Heartbeat{1});
  CHECK(harness.results.empty());
  CHECK(harness.env.sent.empty());

  const Body body = image_body(1);
  harness.reply_ok(second, second_request, body);
  harness.reply_ok(second, second_request, image_body(2));
  harness.reply_status(second, second_request, Status::unavailable);
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].body == body);
  CHECK(harness.env.sent.empty());
}

TEST_CASE("client ignores timers of requests that are no longer pending", "[core][client]") {
  Harness harness;
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [to, request] = harness.sent_get_image();
  harness.reply_ok(to, request, image_body());
  REQUIRE(harness.results.size() == 1);
  harness.client.on_timer(Timer{TimerKind::attempt_timeout, 1});
  harness.client.on_timer(Timer{TimerKind::request_deadline, 1});
  harness.client.on_timer(Timer{TimerKind::hedge, 1});
  harness.client.on_timer(Timer{TimerKind::probe_timeout, 1});
  harness.client.on_timer(Timer{TimerKind::heartbeat, 1});
  CHECK(harness.results.size() == 1);
  CHECK(harness.env.sent.empty());
}

TEST_CASE("client without failover tries only the first edge", "[core][client]") {
  ClientConfig config = default_config();
  config.failover = false;
  Harness harness(config);
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 1});
  const auto [to, request] = harness.sent_get_image();
  CHECK(to == 2);
  SECTION("on an unavailable reply") { harness.reply_status(to, request, Status::unavailable); }
  SECTION("on an attempt timeout") { harness.env.advance_to(ms_to_us(500), harness.client); }
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].outcome == Outcome::unavailable);
  CHECK(harness.results[0].attempts == 1);
  CHECK(harness.env.sent.empty());
  CHECK(harness.env.timers.empty());
}

TEST_CASE("client rejects requests beyond max_pending_requests at once", "[core][client]") {
  ClientConfig config = default_config();
  config.max_pending_requests = 2;
  Harness harness(config);
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  harness.client.submit(ClientRequest{2, RequestKind::get_size, 0});
  CHECK(harness.env.take_sent().size() == 2);
  harness.client.submit(ClientRequest{3, RequestKind::get_size, 5});
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].id == 3);
  CHECK(harness.results[0].kind == RequestKind::get_size);
  CHECK(harness.results[0].image_id == 5);
  CHECK(harness.results[0].outcome == Outcome::rejected);
  CHECK(harness.results[0].attempts == 0);
  CHECK(harness.env.sent.empty());
  CHECK(harness.client.pending_count() == 2);
}

TEST_CASE("client asks edges for sizes and reports them", "[core][client]") {
  Harness harness;
  harness.client.submit(ClientRequest{5, RequestKind::get_size, 1});
  test::TestEnv::Sent first = harness.only_sent();
  REQUIRE(std::holds_alternative<GetSize>(first.message));
  const GetSize request = std::get<GetSize>(first.message);
  CHECK(first.to == 2);
  CHECK(request.image_id == 1);
  // An image reply to a size request is a wrong answer, so the client moves on.
  harness.client.on_message(first.to, ImageReply{request.request_id, 1, Status::unavailable, 0, nullptr});
  test::TestEnv::Sent second = harness.only_sent();
  REQUIRE(std::holds_alternative<GetSize>(second.message));
  CHECK(second.to == 3);
  const GetSize retry = std::get<GetSize>(second.message);
  harness.client.on_message(second.to, SizeReply{retry.request_id, 1, Status::ok, 4096});
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].outcome == Outcome::ok);
  CHECK(harness.results[0].kind == RequestKind::get_size);
  CHECK(harness.results[0].size_bytes == 4096);
  CHECK(harness.results[0].body == nullptr);
  CHECK(harness.results[0].served_by == 3);
  CHECK(harness.results[0].attempts == 2);
}

TEST_CASE("client follows rendezvous routing when configured", "[core][client]") {
  ClientConfig config = default_config();
  config.routing = RoutingMode::rendezvous;
  Harness harness(config);
  for (ImageId image_id = 0; image_id < 20; ++image_id) {
    harness.client.submit(ClientRequest{image_id, RequestKind::get_image, image_id});
    const auto [to, request] = harness.sent_get_image();
    const std::vector<NodeId> order = route(RoutingMode::rendezvous, three_edges, image_id);
    CHECK(to == order[0]);
    harness.reply_status(to, request, Status::unavailable);
    CHECK(harness.sent_get_image().first == order[1]);
  }
}

TEST_CASE("client allows a handler to submit again from within a result", "[core][client]") {
  test::TestEnv env{client_id};
  std::vector<ClientResult> results;
  Client* self = nullptr;
  Client client(env, default_config(), [&](const ClientResult& result) {
    results.push_back(result);
    // Resubmitting the same id from the handler must work: the finished request is already gone.
    if (results.size() == 1) self->submit(ClientRequest{result.id, RequestKind::get_image, 1});
  });
  self = &client;
  client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const test::TestEnv::Sent first = env.take_sent().at(0);
  client.on_message(first.to, ImageReply{std::get<GetImage>(first.message).request_id, 0, Status::not_found, 0, {}});
  REQUIRE(results.size() == 1);
  CHECK(client.pending_count() == 1);
  const std::vector<test::TestEnv::Sent> resubmitted = env.take_sent();
  REQUIRE(resubmitted.size() == 1);
  CHECK(std::get<GetImage>(resubmitted[0].message).image_id == 1);
}

TEST_CASE("client property: every request gets exactly one result by its deadline", "[core][client]") {
  rc::prop("random replies and timeouts", [] {
    ClientConfig config = default_config();
    config.failover = *rc::gen::arbitrary<bool>();
    config.routing = *rc::gen::element(RoutingMode::modulo, RoutingMode::rendezvous);
    config.hedging = *rc::gen::arbitrary<bool>();
    config.passive_health = *rc::gen::arbitrary<bool>();
    Harness harness(config);
    const auto request_count = *rc::gen::inRange<RequestId>(1, 8);
    std::vector<test::TestEnv::Sent> in_flight;  // Every request the client ever sent, answered or not.
    std::map<RequestId, TimeUs> submitted_at;
    RequestId next_request = 1;

    const auto step_count = *rc::gen::inRange(0, 60);
    for (int step = 0; step < step_count; ++step) {
      const int action = *rc::gen::inRange(0, 5);
      if (action == 0 && next_request <= request_count) {
        submitted_at[next_request] = harness.env.time_us();
        harness.client.submit(ClientRequest{next_request, *rc::gen::element(RequestKind::get_image,
                                                                             RequestKind::get_size),
                                            *rc::gen::inRange<ImageId>(0, 5)});
        ++next_request;
      } else if (action <= 2 && !in_flight.empty()) {
        // Answer some request ever sent, current or stale, possibly again.
        const auto& [to, message] = *rc::gen::elementOf(in_flight);
        const auto status = *rc::gen::element(Status::ok, Status::not_found, Status::unavailable);
        const bool corrupt = *rc::gen::arbitrary<bool>();
        if (const auto* get = std::get_if<GetImage>(&message)) {
          const Body body = status == Status::ok ? image_body() : nullptr;
          const std::uint64_t checksum = body ? body->checksum() ^ (corrupt ? 1 : 0) : 0;
          harness.client.on_message(to, ImageReply{get->request_id, get->image_id, status, checksum, body});
        } else if (const auto* size = std::get_if<GetSize>(&message)) {
          harness.client.on_message(to, SizeReply{size->request_id, size->image_id, status, 10});
        }
      } else {
        harness.env.advance_by(ms_to_us(*rc::gen::inRange(0, 700)), harness.client);
      }
      for (test::TestEnv::Sent& sent : harness.env.take_sent()) in_flight.push_back(std::move(sent));
    }
    // Let every deadline pass.
    harness.env.advance_by(ms_to_us(config.request_deadline_ms), harness.client);

    RC_ASSERT(harness.client.pending_count() == 0u);
    RC_ASSERT(harness.env.timers.empty());
    std::map<RequestId, int> result_counts;
    for (const ClientResult& result : harness.results) {
      ++result_counts[result.id];
      RC_ASSERT(result.latency_us <= ms_to_us(config.request_deadline_ms));
      // Each edge gets at most one full attempt, and each full attempt but the last at most one hedge.
      const std::uint32_t most_attempts = !config.failover ? 1u : config.hedging ? 5u : 3u;
      RC_ASSERT(result.attempts <= most_attempts);
      if (result.outcome == Outcome::ok && result.kind == RequestKind::get_image) {
        RC_ASSERT(result.body != nullptr);
      }
    }
    RC_ASSERT(result_counts.size() == submitted_at.size());
    for (const auto& [id, count] : result_counts) {
      RC_ASSERT(submitted_at.count(id) == 1u);
      RC_ASSERT(count == 1);
    }
  });
}

}  // namespace
}  // namespace edgecache
