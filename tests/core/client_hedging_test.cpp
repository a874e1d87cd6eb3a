// Tests for the client's hedging and passive health checking. Method: as in client_test.cpp, a Client is
// driven through TestEnv with three edges, here with both habits on. The client first learns how long
// answers take (ten answers at a chosen latency), then each test lets an edge be slow, decline, fail or go
// silent, and checks which edge is asked what (full attempt, cached-copy hedge, check or probe), which
// edges end up ejected and for how long, and the result handed to the caller.

#include <catch2/catch.hpp>

#include "core/client.h"
#include "tests/core/client_test_support.h"

namespace edgecache {
namespace {

using testing::Harness;
using testing::hedging_config;
using testing::image_body;
using testing::three_edges;

// Teaches the client's latency estimate that edge 1 answers image 0 in `latency_us`, with ten requests whose
// ids start at 1000, and returns the bound its hedges then wait for.
TimeUs prime(Harness& harness, TimeUs latency_us) {
  for (RequestId id = 1000; id < 1010; ++id) {
    harness.client.submit(ClientRequest{id, RequestKind::get_image, 0});
    const auto [to, request] = harness.sent_get_image();
    harness.env.advance_by(latency_us, harness.client);
    harness.reply_ok(to, request, image_body());
  }
  harness.env.take_sent();
  harness.results.clear();
  REQUIRE(harness.client.latency().has_samples());
  return harness.client.latency().bound_us();
}

TEST_CASE("client does not hedge before it has seen an answer", "[core][client][hedge]") {
  // At the start every edge may be fetching from the origin; a hedge then would only add load.
  Harness harness(hedging_config());
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  harness.sent_get_image();
  CHECK_FALSE(harness.env.find_timer(TimerKind::hedge, 1).has_value());
  harness.env.advance_by(ms_to_us(499), harness.client);
  CHECK(harness.env.sent.empty());
}

TEST_CASE("client hedges a slow attempt at the next edge and takes the first good answer", "[core][client][hedge]") {
  Harness harness(hedging_config());
  const TimeUs bound_us = prime(harness, ms_to_us(10));
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [first_edge, first] = harness.sent_get_image();
  CHECK(first_edge == 1);
  const std::optional<TimerId> hedge = harness.env.find_timer(TimerKind::hedge, 1);
  REQUIRE(hedge.has_value());
  CHECK(harness.env.timers.at(*hedge).due_us == harness.env.time_us() + bound_us);
  harness.env.advance_by(bound_us, harness.client);
  const auto [second_edge, second] = harness.sent_get_image();
  CHECK(second_edge == 2);
  CHECK(second.request_id != first.request_id);
  CHECK(second.cache_only);  // A hedge never makes the edge fetch from the origin.
  harness.reply_ok(second_edge, second, image_body());
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].outcome == Outcome::ok);
  CHECK(harness.results[0].served_by == 2);
  CHECK(harness.results[0].attempts == 2);
  // The edge that lost the race is ejected; the winner is in good standing.
  CHECK(harness.client.health().ejected(1));
  CHECK_FALSE(harness.client.health().ejected(2));
  // The loser's late answer is ignored, and no timer of the request is left.
  harness.reply_ok(first_edge, first, image_body());
  CHECK(harness.results.size() == 1);
  CHECK(harness.env.timers.empty());
}

TEST_CASE("client keeps an edge's turn when its hedge finds no cached copy", "[core][client][hedge]") {
  Harness harness(hedging_config());
  const TimeUs bound_us = prime(harness, ms_to_us(10));
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [first_edge, first] = harness.sent_get_image();
  harness.env.advance_by(bound_us, harness.client);
  const auto [hedge_edge, hedge] = harness.sent_get_image();
  REQUIRE(hedge_edge == 2);
  // Edge 2 has no cached copy: no failure of edge 2. The client asks edge 1 whether it is still there (a
  // cached-copy question a live edge answers at once), and keeps waiting on it.
  harness.reply_status(hedge_edge, hedge, Status::unavailable);
  CHECK_FALSE(harness.client.health().ejected(2));
  const auto [check_edge, check] = harness.sent_get_image();
  CHECK(check_edge == 1);
  CHECK(check.cache_only);
  // Edge 1 declines the check, busy fetching: it is alive, so nothing more is sent.
  harness.reply_status(check_edge, check, Status::unavailable);
  CHECK_FALSE(harness.client.health().ejected(1));
  CHECK(harness.env.sent.empty());
  // Edge 1 then fails; edge 2 gets its full turn and may fetch from the origin this time.
  harness.reply_status(first_edge, first, Status::unavailable);
  const auto [retry_edge, retry] = harness.sent_get_image();
  CHECK(retry_edge == 2);
  CHECK_FALSE(retry.cache_only);
  harness.reply_ok(retry_edge, retry, image_body());
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].served_by == 2);
  CHECK(harness.results[0].attempts == 4);
  CHECK(harness.client.health().ejected(1));
}

TEST_CASE("client fails a stalled request over at once when its edge does not answer the check",
          "[core][client][hedge]") {
  Harness harness(hedging_config());
  const TimeUs bound_us = prime(harness, ms_to_us(10));
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [first_edge, first] = harness.sent_get_image();
  REQUIRE(first_edge == 1);
  harness.env.advance_by(bound_us, harness.client);
  const auto [hedge_edge, hedge] = harness.sent_get_image();
  harness.reply_status(hedge_edge, hedge, Status::unavailable);
  const auto [check_edge, check] = harness.sent_get_image();
  REQUIRE(check_edge == 1);
  // Edge 1 has died: the check goes unanswered for one hedge delay, and the request moves to edge 2 at
  // once, long before its 500 ms attempt timeout.
  harness.env.advance_by(bound_us, harness.client);
  CHECK(harness.client.health().ejected(1));
  const auto [retry_edge, retry] = harness.sent_get_image();
  CHECK(retry_edge == 2);
  CHECK_FALSE(retry.cache_only);
  harness.reply_ok(retry_edge, retry, image_body());
  REQUIRE(harness.results.size() == 1);
  CHECK(harness.results[0].latency_us < ms_to_us(100));
  CHECK(harness.env.timers.empty());
}

TEST_CASE("client fails stalled requests over when another request shows their edge failing",
          "[core][client][hedge]") {
  Harness harness(hedging_config());
  const TimeUs bound_us = prime(harness, ms_to_us(10));
  // Requests 1 (image 0) and 2 (image 3) both go to edge 1 first, and both are hedged at edge 2.
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  harness.client.submit(ClientRequest{2, RequestKind::get_image, 3});
  REQUIRE(harness.env.take_sent().size() == 2);
  harness.env.advance_by(bound_us, harness.client);
  const std::vector<test::TestEnv::Sent> hedges = harness.env.take_sent();
  REQUIRE(hedges.size() == 2);
  const GetImage hedge1 = std::get<GetImage>(hedges[0].message);
  const GetImage hedge2 = std::get<GetImage>(hedges[1].message);
  REQUIRE(hedge1.image_id == 0);
  // Request 1 stalls: its hedge declines, and its check goes out.
  harness.reply_status(2, hedge1, Status::unavailable);
  harness.sent_get_image();
  // Request 2's hedge beats edge 1: edge 1 is judged failing, and request 1 moves on at once.
  harness.reply_ok(2, hedge2, image_body());
  CHECK(harness.client.health().ejected(1));
  const auto [retry_edge, retry] = harness.sent_get_image();
  CHECK(retry_edge == 2);
  CHECK(retry.image_id == 0);
  CHECK_FALSE(retry.cache_only);
}

TEST_CASE("client hedge delay follows the answers it has seen", "[core][client][hedge]") {
  Harness harness(hedging_config());
  // Ten quick answers of 2 ms each bring the bound down to about 2 ms plus four deviations.
  for (RequestId id = 1; id <= 10; ++id) {
    harness.client.submit(ClientRequest{id, RequestKind::get_image, 0});
    const auto [to, request] = harness.sent_get_image();
    harness.env.advance_by(ms_to_us(2), harness.client);
    harness.reply_ok(to, request, image_body());
  }
  CHECK(harness.client.latency().mean_us() == ms_to_us(2));
  const TimeUs bound_us = harness.client.latency().bound_us();
  CHECK(bound_us >= ms_to_us(2));
  CHECK(bound_us < ms_to_us(4));
  harness.client.submit(ClientRequest{11, RequestKind::get_image, 0});
  harness.env.take_sent();
  const std::optional<TimerId> hedge = harness.env.find_timer(TimerKind::hedge, 11);
  REQUIRE(hedge.has_value());
  CHECK(harness.env.timers.at(*hedge).due_us == harness.env.time_us() + bound_us);
}

TEST_CASE("client does not hedge when answers take as long as the attempt timeout", "[core][client][hedge]") {
  Harness harness(hedging_config());
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [to, request] = harness.sent_get_image();
  harness.env.advance_by(ms_to_us(400), harness.client);
  harness.reply_ok(to, request, image_body());
  REQUIRE(harness.results.size() == 1);
  // One 400 ms answer puts the bound at 1.2 s, beyond the 500 ms attempt timeout: a hedge would add nothing.
  harness.client.submit(ClientRequest{2, RequestKind::get_image, 1});
  harness.env.take_sent();
  CHECK_FALSE(harness.env.find_timer(TimerKind::hedge, 2).has_value());
  CHECK(harness.env.find_timer(TimerKind::request_deadline, 2).has_value());
}

TEST_CASE("client sends an ejected edge only probes until one answers in time", "[core][client][health]") {
  Harness harness(hedging_config());
  // Edge 1 answers unavailable: it is ejected, and the request fails over to edge 2.
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [edge1, attempt1] = harness.sent_get_image();
  REQUIRE(edge1 == 1);
  harness.reply_status(edge1, attempt1, Status::unavailable);
  CHECK(harness.client.health().ejected(1));
  CHECK(harness.client.health().ejection_us(1) == ms_to_us(250));
  const auto [edge2, attempt2] = harness.sent_get_image();
  CHECK(edge2 == 2);
  harness.reply_ok(edge2, attempt2, image_body());

  // Within the ejection, an image whose edge is 1 goes straight to edge 2, and edge 1 hears nothing.
  harness.env.advance_by(ms_to_us(100), harness.client);
  harness.client.submit(ClientRequest{2, RequestKind::get_image, 3});
  const auto [to, request] = harness.sent_get_image();
  CHECK(to == 2);
  harness.reply_ok(to, request, image_body());

  // Once the ejection has run out, the next such request sends edge 1 a probe and still goes to edge 2.
  harness.env.advance_by(ms_to_us(150), harness.client);
  harness.client.submit(ClientRequest{3, RequestKind::get_image, 6});
  std::vector<test::TestEnv::Sent> sent = harness.env.take_sent();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].to == 1);
  CHECK(sent[1].to == 2);
  const GetImage probe = std::get<GetImage>(sent[0].message);
  CHECK(probe.image_id == 6);
  CHECK(probe.cache_only);
  REQUIRE(harness.env.find_timer(TimerKind::probe_timeout, probe.request_id).has_value());
  // One probe at a time: a request submitted meanwhile sends none.
  harness.client.submit(ClientRequest{4, RequestKind::get_image, 9});
  sent = harness.env.take_sent();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].to == 2);
  // The probe's answer, in time, takes edge 1 back; it counts for no request.
  const std::size_t results_before = harness.results.size();
  harness.reply_ok(1, probe, image_body());
  CHECK(harness.results.size() == results_before);
  CHECK_FALSE(harness.client.health().ejected(1));
  CHECK_FALSE(harness.env.find_timer(TimerKind::probe_timeout, probe.request_id).has_value());
  harness.client.submit(ClientRequest{5, RequestKind::get_image, 12});
  CHECK(harness.sent_get_image().first == 1);
}

TEST_CASE("client doubles the ejection of an edge whose probes go unanswered", "[core][client][health]") {
  ClientConfig config = hedging_config();
  config.hedging = false;
  Harness harness(config);
  // Edge 2 answers at once throughout, so only edge 1 is in trouble.
  const auto answer = [&](const test::TestEnv::Sent& sent) {
    REQUIRE(sent.to == 2);
    const GetSize& get = std::get<GetSize>(sent.message);
    harness.client.on_message(2, SizeReply{get.request_id, get.image_id, Status::ok, 10});
  };
  harness.client.submit(ClientRequest{1, RequestKind::get_size, 0});
  harness.env.take_sent();
  harness.env.advance_by(ms_to_us(500), harness.client);  // Edge 1's attempt times out.
  CHECK(harness.client.health().ejection_us(1) == ms_to_us(250));
  answer(harness.only_sent());
  const TimeUs expected[] = {ms_to_us(500), ms_to_us(1000), ms_to_us(1000)};
  RequestId id = 2;
  for (const TimeUs ejection_us : expected) {
    harness.env.advance_by(harness.client.health().ejection_us(1), harness.client);
    harness.env.take_sent();
    harness.client.submit(ClientRequest{id, RequestKind::get_size, 0});
    ++id;
    const std::vector<test::TestEnv::Sent> sent = harness.env.take_sent();
    REQUIRE(sent.size() == 2);
    REQUIRE(sent[0].to == 1);  // The probe, unanswered.
    answer(sent[1]);
    const RequestId probe_id = std::get<GetSize>(sent[0].message).request_id;
    const std::optional<TimerId> probe_timer = harness.env.find_timer(TimerKind::probe_timeout, probe_id);
    REQUIRE(probe_timer.has_value());
    harness.env.fire(*probe_timer, harness.client);
    // The doubling stops at max_ejection_ms.
    CHECK(harness.client.health().ejection_us(1) == ejection_us);
  }
}

TEST_CASE("client keeps an edge ejected when its probe answers late", "[core][client][health]") {
  Harness harness(hedging_config());
  harness.client.submit(ClientRequest{1, RequestKind::get_image, 0});
  const auto [edge1, attempt1] = harness.sent_get_image();
  harness.reply_status(edge1, attempt1, Status::unavailable);
  harness.reply_ok(2, harness.sent_get_image().second, image_body());
  harness.env.advance_by(ms_to_us(250), harness.client);
  harness.client.submit(ClientRequest{2, RequestKind::get_image, 3});
  const std::vector<test::TestEnv::Sent> sent = harness.env.take_sent();
  REQUIRE(sent.size() == 2);
  REQUIRE(sent[0].to == 1);
  // The probe answers after 200 ms, well past the hedge bound (1 ms, as edge 2 answered at once): still too
  // slow to trust.
  harness.env.advance_by(ms_to_us(200), harness.client);
  harness.reply_ok(1, std::get<GetImage>(sent[0].message), image_body());
  CHECK(harness.client.health().ejected(1));
  CHECK(harness.client.health().ejection_us(1) == ms_to_us(500));
}

TEST_CASE("client with every edge ejected still tries them all", "[core][client][health]") {
  ClientConfig config = hedging_config();
  config.hedging = false;
  Harness harness(config);
  for (RequestId id = 1; id <= 3; ++id) {
    harness.client.submit(ClientRequest{id, RequestKind::get_image, id - 1});
    const auto [to, request] = harness.sent_get_image();
    harness.reply_status(to, request, Status::unavailable);
    for (test::TestEnv::Sent& sent : harness.env.take_sent()) {
      harness.client.on_message(sent.to, ImageReply{std::get<GetImage>(sent.message).request_id,
                                                    std::get<GetImage>(sent.message).image_id, Status::unavailable, 0,
                                                    nullptr});
      for (test::TestEnv::Sent& more : harness.env.take_sent()) {
        harness.client.on_message(more.to, ImageReply{std::get<GetImage>(more.message).request_id,
                                                       std::get<GetImage>(more.message).image_id, Status::unavailable,
                                                       0, nullptr});
      }
    }
  }
  for (const NodeId edge : three_edges) CHECK(harness.client.health().ejected(edge));
  // With nobody in good standing, a request still goes to each edge in its routed order.
  harness.client.submit(ClientRequest{9, RequestKind::get_image, 1});
  const auto [to, request] = harness.sent_get_image();
  CHECK(to == 2);
  harness.reply_ok(to, request, image_body());
  CHECK(harness.results.back().outcome == Outcome::ok);
  CHECK_FALSE(harness.client.health().ejected(2));
}

}  // namespace
}  // namespace edgecache
