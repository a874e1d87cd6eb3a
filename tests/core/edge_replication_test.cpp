// Replication as one edge sees it, leader or follower. Method: one edge on a TestEnv; the test plays the
// other edges by delivering Holding, PullOrder and the replies to pulls.

#include <catch2/catch.hpp>

#include "tests/core/edge_test_support.h"

using namespace edgecache;
using namespace edgecache::test;

namespace {

// Makes edge 3 the leader and edges 1 and 2 live followers (they acknowledged a heartbeat).
void lead(EdgeHarness& h) {
  h.edge.on_start();
  h.edge.on_message(1, Holding{1, true, false, {}});
  h.edge.on_message(2, Holding{1, true, false, {}});
  h.edge.on_message(1, HeartbeatAck{1});
  h.edge.on_message(2, HeartbeatAck{1});
  h.env.take_sent();
}

// Lets `duration_us` pass while leader `leader` keeps heartbeating at `epoch`: an edge whose leader falls
// silent elects itself, and a new leader drops the pulls its predecessor ordered.
void advance_following(EdgeHarness& h, NodeId leader, Epoch epoch, TimeUs duration_us) {
  const TimeUs heartbeat_us = ms_to_us(h.edge.config().heartbeat_interval_ms);
  for (TimeUs waited = 0; waited < duration_us; waited += heartbeat_us) {
    h.env.advance_by(heartbeat_us, h.edge);
    h.edge.on_message(leader, Heartbeat{epoch});
  }
}

}  // namespace

TEST_CASE("a follower tells the leader about an image it fetched from the origin", "[core][replication]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetImage{1, 11, false});
  GetImage fetch = h.env.sent_of<GetImage>().at(0).second;
  h.env.take_sent();
  h.edge.on_message(canonical_id, h.origin_reply_for(fetch, body_of_size(100)));
  auto holdings = h.env.sent_of<Holding>();
  REQUIRE(holdings.size() == 1);
  CHECK(holdings[0].first == 3);
  CHECK(holdings[0].second.from_origin);
  CHECK_FALSE(holdings[0].second.complete);
  CHECK(holdings[0].second.image_ids == std::vector<ImageId>{11});
}

TEST_CASE("the leader has every other live edge pull an announced image, itself included", "[core][replication]") {
  EdgeHarness h(3);
  lead(h);
  h.edge.on_message(1, Holding{1, false, true, {11}});
  auto orders = h.env.sent_of<PullOrder>();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].first == 2);
  CHECK(orders[0].second.image_id == 11);
  CHECK(orders[0].second.source == 1);
  auto pulls = h.env.sent_of<GetImage>();
  REQUIRE(pulls.size() == 1);
  CHECK(pulls[0].first == 1);
  CHECK(pulls[0].second.cache_only);

  // When the leader's own pull lands, it stores the replica; edge 2 is still owed it, so it is ordered again
  // from the leader.
  h.env.take_sent();
  Body body = body_of_size(100);
  h.edge.on_message(1, ImageReply{pulls[0].second.request_id, 11, Status::ok, body->checksum(), body});
  CHECK(h.cache.contains(11));
  CHECK(h.edge.counters().replicas_received == 1);
  auto again = h.env.sent_of<PullOrder>();
  REQUIRE(again.size() == 1);
  CHECK(again[0].second.source == 3);

  // Once edge 2 reports holding it, no more orders go out for it.
  h.edge.on_message(2, Holding{1, false, false, {11}});
  h.env.take_sent();
  h.edge.on_message(1, Holding{1, false, true, {11}});
  CHECK(h.env.sent_of<PullOrder>().empty());
}

TEST_CASE("a follower pulls an ordered image from its source and reports it", "[core][replication]") {
  EdgeHarness h(1);
  h.follow(3, 1);
  h.edge.on_message(3, PullOrder{1, 11, 2});
  auto pulls = h.env.sent_of<GetImage>();
  REQUIRE(pulls.size() == 1);
  CHECK(pulls[0].first == 2);
  CHECK(pulls[0].second.cache_only);
  h.env.take_sent();
  Body body = body_of_size(100);
  h.edge.on_message(2, ImageReply{pulls[0].second.request_id, 11, Status::ok, body->checksum(), body});
  CHECK(h.cache.contains(11));
  auto holdings = h.env.sent_of<Holding>();
  REQUIRE(holdings.size() == 1);
  CHECK_FALSE(holdings[0].second.from_origin);
}

TEST_CASE("pull orders from anyone but the current leader, or for an old epoch, are ignored", "[core][replication]") {
  EdgeHarness h(1);
  h.follow(3, 2);
  h.edge.on_message(2, PullOrder{2, 11, 3});
  h.edge.on_message(3, PullOrder{1, 11, 2});
  CHECK(h.env.sent.empty());
  // Only the order from an edge that does not lead is a refusal; an old epoch from the leader is just late.
  CHECK(h.edge.counters().orders_from_non_leader == 1);
}

TEST_CASE("inventory requests are answered only for the current leader", "[core][replication]") {
  EdgeHarness h(1);
  h.follow(3, 2);
  h.edge.on_message(2, InventoryRequest{2});
  CHECK(h.env.sent.empty());
  CHECK(h.edge.counters().orders_from_non_leader == 1);
  h.edge.on_message(3, InventoryRequest{2});
  auto inventories = h.env.sent_of<Holding>();
  REQUIRE(inventories.size() == 1);
  CHECK(inventories[0].first == 3);
  CHECK(inventories[0].second.complete);
}

TEST_CASE("a pull reply is taken only from the edge the pull went to", "[core][replication]") {
  // The leader itself, answering a pull it ordered from edge 2 with other bytes and their own checksum, is
  // refused; the pull still waits for edge 2, whose answer is stored.
  EdgeHarness h(1);
  h.follow(3, 1);
  h.edge.on_message(3, PullOrder{1, 11, 2});
  GetImage pull = h.env.sent_of<GetImage>().at(0).second;
  h.env.take_sent();
  Body forged = body_of_size(100, 0xA5);
  h.edge.on_message(3, ImageReply{pull.request_id, 11, Status::ok, forged->checksum(), forged});
  h.edge.on_message(canonical_id, ImageReply{pull.request_id, 11, Status::ok, forged->checksum(), forged});
  CHECK_FALSE(h.cache.contains(11));
  CHECK(h.env.sent.empty());
  CHECK(h.edge.counters().unrequested_replies == 2);
  CHECK(h.edge.counters().replicas_received == 0);

  Body body = body_of_size(100);
  h.edge.on_message(2, ImageReply{pull.request_id, 11, Status::ok, body->checksum(), body});
  REQUIRE(h.cache.contains(11));
  CHECK(h.cache.peek(11)->checksum() == body->checksum());
  CHECK(h.edge.counters().replicas_received == 1);
}

TEST_CASE("a pull reply nobody asked for is dropped and counted", "[core][replication]") {
  // No pull is outstanding: neither a reply with a request id this edge never used nor a late one for a pull
  // already answered is cached, served or announced.
  EdgeHarness h(1);
  h.follow(3, 1);
  Body forged = body_of_size(100, 0xA5);
  h.edge.on_message(2, ImageReply{77, 11, Status::ok, forged->checksum(), forged});
  h.edge.on_message(3, PullOrder{1, 12, 2});
  GetImage pull = h.env.sent_of<GetImage>().at(0).second;
  Body body = body_of_size(100);
  h.edge.on_message(2, ImageReply{pull.request_id, 12, Status::ok, body->checksum(), body});
  h.env.take_sent();
  h.edge.on_message(2, ImageReply{pull.request_id, 12, Status::ok, forged->checksum(), forged});
  CHECK_FALSE(h.cache.contains(11));
  CHECK(h.cache.peek(12)->checksum() == body->checksum());
  CHECK(h.env.sent.empty());
  CHECK(h.edge.counters().unrequested_replies == 2);
}

TEST_CASE("a replica goes only into free space; it never evicts", "[core][replication]") {
  EdgeHarness h(1, 1000);
  h.follow(3, 1);
  h.cache.insert(1, body_of_size(800));
  h.edge.on_message(3, PullOrder{1, 11, 2});
  GetImage pull = h.env.sent_of<GetImage>().at(0).second;
  Body body = body_of_size(300);
  h.edge.on_message(2, ImageReply{pull.request_id, 11, Status::ok, body->checksum(), body});
  CHECK_FALSE(h.cache.contains(11));
  CHECK(h.cache.contains(1));
  // Now that its size is known, a second order is declined without pulling.
  h.env.take_sent();
  h.edge.on_message(3, PullOrder{1, 11, 2});
  CHECK(h.env.sent_of<GetImage>().empty());
}

TEST_CASE("a pull that times out frees its slot for the next queued pull, then is retried", "[core][replication]") {
  EdgeHarness h(1);
  h.follow(3, 1);
  std::size_t active = h.edge.config().max_active_pulls;
  for (ImageId image = 0; image <= active; ++image) h.edge.on_message(3, PullOrder{1, image, 2});
  CHECK(h.env.sent_of<GetImage>().size() == active);
  h.env.take_sent();
  advance_following(h, 3, 1, ms_to_us(h.edge.config().pull_timeout_ms));
  auto pulls = h.env.sent_of<GetImage>();
  REQUIRE(pulls.size() == active);
  CHECK(pulls[0].second.image_id == active);  // The waiting order goes first, then the retries.
  CHECK(pulls[1].second.image_id == 0);
}

TEST_CASE("an edge that becomes leader drops the queued pulls its predecessor ordered", "[core][replication]") {
  // Leader 3 orders more pulls from itself than may run at once, then falls silent (it crashed). Edge 1
  // elects itself; the order still queued names the dead edge 3 and would cost a pull timeout before the
  // pulls its own reconciliation orders could start
  // (scenarios/regressions/new_leader_pulls_from_crashed_leader.json).
  EdgeHarness h(1);
  h.follow(3, 1);
  std::size_t active = h.edge.config().max_active_pulls;
  for (ImageId image = 0; image <= active; ++image) h.edge.on_message(3, PullOrder{1, image, 3});
  h.env.take_sent();
  const EdgeConfig& config = h.edge.config();
  h.env.advance_by(ms_to_us(config.leader_timeout_ms + config.answer_timeout_ms), h.edge);
  REQUIRE(h.edge.status().role == Role::leader);
  for (int round = 0; round < 3; ++round) h.env.advance_by(ms_to_us(config.pull_timeout_ms), h.edge);
  for (const auto& [to, pull] : h.env.sent_of<GetImage>()) CHECK(pull.image_id != active);
}

TEST_CASE("the leader neither starts nor retries a pull from a follower that stopped acknowledging", "[core][replication]") {
  // Follower 1 announces more images than may be pulled at once, then crashes: it stops acknowledging
  // heartbeats while follower 2 goes on. Pulls from edge 1 would only wait out their timeouts, and hold up
  // every pull queued behind them (scenarios/regressions/leader_pulls_from_crashed_follower.json).
  EdgeHarness h(3);
  lead(h);
  const EdgeConfig& config = h.edge.config();
  std::vector<ImageId> announced;
  for (ImageId image = 0; image < 2 * config.max_active_pulls; ++image) announced.push_back(image);
  h.edge.on_message(1, Holding{1, false, true, announced});
  CHECK(h.env.sent_of<GetImage>().size() == config.max_active_pulls);
  h.env.take_sent();
  const TimeUs heartbeat_us = ms_to_us(config.heartbeat_interval_ms);
  for (TimeUs waited = 0; waited < 3 * ms_to_us(config.pull_timeout_ms); waited += heartbeat_us) {
    h.env.advance_by(heartbeat_us, h.edge);
    h.edge.on_message(2, HeartbeatAck{1});
  }
  for (const auto& [to, pull] : h.env.sent_of<GetImage>()) CHECK(to != 1);
  // Edge 1 comes back and reports what it holds: anti-entropy orders the pulls again.
  h.env.take_sent();
  h.edge.on_message(1, HeartbeatAck{1});
  h.edge.on_message(1, Holding{1, true, false, announced});
  auto pulls = h.env.sent_of<GetImage>();
  REQUIRE(pulls.size() == config.max_active_pulls);
  for (const auto& [to, pull] : pulls) CHECK(to == 1);
}

TEST_CASE("a timed-out pull is retried up to max_pull_attempts, a refused one is not", "[core][replication]") {
  EdgeHarness h(1);
  h.follow(3, 1);
  h.edge.on_message(3, PullOrder{1, 11, 2});
  for (std::uint32_t attempt = 1; attempt < max_pull_attempts; ++attempt) {
    advance_following(h, 3, 1, ms_to_us(h.edge.config().pull_timeout_ms));
  }
  CHECK(h.env.sent_of<GetImage>().size() == max_pull_attempts);
  advance_following(h, 3, 1, ms_to_us(h.edge.config().pull_timeout_ms));
  CHECK(h.env.sent_of<GetImage>().size() == max_pull_attempts);

  h.follow(3, 5);
  h.edge.on_message(3, PullOrder{5, 12, 2});
  GetImage pull = h.env.sent_of<GetImage>().at(0).second;
  h.edge.on_message(2, ImageReply{pull.request_id, 12, Status::unavailable, 0, nullptr});
  h.env.advance_by(ms_to_us(h.edge.config().pull_timeout_ms), h.edge);
  CHECK(h.env.sent_of<GetImage>().size() == 1);
}

TEST_CASE("the leader reconciles a follower's whole inventory both ways", "[core][replication]") {
  EdgeHarness h(3);
  h.cache.insert(100, body_of_size(10));
  lead(h);
  h.edge.on_message(1, Holding{1, true, false, {200}});
  auto orders = h.env.sent_of<PullOrder>();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].first == 1);
  CHECK(orders[0].second.image_id == 100);
  CHECK(orders[0].second.source == 3);
  auto pulls = h.env.sent_of<GetImage>();
  REQUIRE(pulls.size() == 1);
  CHECK(pulls[0].first == 1);
  CHECK(pulls[0].second.image_id == 200);
}

TEST_CASE("the leader asks live followers for their inventories every anti-entropy interval", "[core][replication]") {
  EdgeHarness h(3);
  lead(h);
  // Follower 1 keeps acknowledging heartbeats; follower 2 goes quiet.
  TimeUs interval = ms_to_us(h.edge.config().anti_entropy_interval_ms);
  for (TimeUs t = ms_to_us(100); t <= interval; t += ms_to_us(100)) {
    h.env.advance_to(t, h.edge);
    h.edge.on_message(1, HeartbeatAck{1});
  }
  auto requests = h.env.sent_of<InventoryRequest>();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].first == 1);

  // A follower that went quiet and comes back is asked at once: it may have lost or gained images.
  h.env.take_sent();
  h.edge.on_message(2, HeartbeatAck{1});
  requests = h.env.sent_of<InventoryRequest>();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].first == 2);
}

TEST_CASE("the leader orders only replicas that fit in a follower's reported free space", "[core][replication]") {
  EdgeHarness h(3);
  h.cache.insert(100, body_of_size(600));
  h.cache.insert(101, body_of_size(300));
  h.cache.insert(102, body_of_size(200));
  lead(h);
  // Follower 1 has 650 bytes free: 600 fits, then neither 300 nor 200 does in the 50 left.
  h.edge.on_message(1, Holding{1, true, false, {}, 650});
  auto orders = h.env.sent_of<PullOrder>();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].second.image_id == 100);
  // With 550 free, 600 is skipped and the two smaller ones are ordered.
  h.env.take_sent();
  h.edge.on_message(2, Holding{1, true, false, {}, 550});
  orders = h.env.sent_of<PullOrder>();
  REQUIRE(orders.size() == 2);
  CHECK(orders[0].second.image_id == 101);
  CHECK(orders[1].second.image_id == 102);
}
