// The Bully election as one edge sees it. Method: one edge on a TestEnv, the test playing its peers by
// delivering Election, Answer, Coordinator and Heartbeat messages and firing timers, then checking the
// edge's role, leader, epoch and what it sent.

#include <catch2/catch.hpp>

#include <limits>

#include "tests/core/edge_test_support.h"

using namespace edgecache;
using namespace edgecache::test;

TEST_CASE("the highest edge elects itself at once on start", "[core][election]") {
  EdgeHarness h(3);
  h.edge.on_start();
  EdgeStatus status = h.edge.status();
  CHECK(status.role == Role::leader);
  CHECK(status.leader == NodeId{3});
  CHECK(status.epoch == 1);
  auto coordinators = h.env.sent_of<Coordinator>();
  REQUIRE(coordinators.size() == 2);
  CHECK(coordinators[0].first == 1);
  CHECK(coordinators[1].first == 2);
  CHECK(h.env.count_timers(TimerKind::heartbeat) == 1);

  h.env.take_sent();
  h.env.advance_by(ms_to_us(h.edge.config().heartbeat_interval_ms), h.edge);
  CHECK(h.env.sent_of<Heartbeat>().size() == 2);
}

TEST_CASE("a lower edge asks the higher ones, and leads if none answers", "[core][election]") {
  EdgeHarness h(1);
  h.edge.on_start();
  auto elections = h.env.sent_of<Election>();
  REQUIRE(elections.size() == 2);
  CHECK(elections[0].first == 2);
  CHECK(elections[1].first == 3);
  CHECK(h.edge.status().role == Role::candidate);
  h.env.advance_by(ms_to_us(h.edge.config().answer_timeout_ms), h.edge);
  CHECK(h.edge.status().role == Role::leader);
  CHECK(h.edge.status().leader == NodeId{1});
}

TEST_CASE("an answered candidate waits for the Coordinator, then follows and sends its inventory", "[core][election]") {
  EdgeHarness h(1);
  h.cache.insert(50, body_of_size(10));
  h.edge.on_start();
  h.edge.on_message(3, Answer{0});
  h.env.advance_by(ms_to_us(h.edge.config().answer_timeout_ms), h.edge);
  CHECK(h.edge.status().role == Role::candidate);  // Answered: it does not take over.
  h.env.take_sent();
  h.edge.on_message(3, Coordinator{4});
  EdgeStatus status = h.edge.status();
  CHECK(status.role == Role::follower);
  CHECK(status.leader == NodeId{3});
  CHECK(status.epoch == 4);
  auto inventories = h.env.sent_of<Holding>();
  REQUIRE(inventories.size() == 1);
  CHECK(inventories[0].first == 3);
  CHECK(inventories[0].second.complete);
  CHECK(inventories[0].second.image_ids == std::vector<ImageId>{50});
}

TEST_CASE("an answered candidate that never hears a Coordinator elects again", "[core][election]") {
  EdgeHarness h(1);
  h.edge.on_start();
  h.edge.on_message(2, Answer{0});
  h.env.take_sent();
  h.env.advance_by(ms_to_us(h.edge.config().coordinator_timeout_ms), h.edge);
  CHECK(h.env.sent_of<Election>().size() == 2);
  CHECK(h.edge.counters().elections_started == 2);
}

TEST_CASE("a follower acknowledges heartbeats and elects when they stop", "[core][election]") {
  EdgeHarness h(2);
  h.follow(3, 2);
  TimeUs timeout = ms_to_us(h.edge.config().leader_timeout_ms);
  h.env.advance_by(timeout - 1000, h.edge);
  h.edge.on_message(3, Heartbeat{2});
  CHECK(h.env.sent_of<HeartbeatAck>().size() == 1);
  h.env.advance_by(timeout - 1000, h.edge);
  CHECK(h.edge.status().role == Role::follower);  // The heartbeat restarted the timer.
  h.env.advance_by(2000, h.edge);
  CHECK(h.edge.status().role == Role::candidate);
  auto elections = h.env.sent_of<Election>();
  REQUIRE(elections.size() == 1);
  CHECK(elections[0].first == 3);
  CHECK(elections[0].second.epoch == 2);
}

TEST_CASE("a lower edge's Election makes the leader answer and re-announce", "[core][election]") {
  EdgeHarness h(3);
  h.edge.on_start();
  h.env.take_sent();
  h.edge.on_message(1, Election{0});
  REQUIRE(h.env.sent_of<Answer>().size() == 1);
  auto coordinators = h.env.sent_of<Coordinator>();
  REQUIRE(coordinators.size() == 1);
  CHECK(coordinators[0].first == 1);
  CHECK(coordinators[0].second.epoch == 1);

  // A lower edge that has seen a later epoch gets a fresh, higher one from everyone's point of view.
  h.env.take_sent();
  h.edge.on_message(1, Election{7});
  CHECK(h.edge.status().epoch == 8);
  CHECK(h.env.sent_of<Coordinator>().size() == 2);
}

TEST_CASE("two leaders meeting converge on the higher id", "[core][election]") {
  SECTION("a leader hearing a higher edge's heartbeat with an older epoch steps down to elect") {
    EdgeHarness h(2);
    h.edge.on_message(1, Election{5});  // Learns of epoch 5.
    h.env.advance_by(ms_to_us(h.edge.config().answer_timeout_ms), h.edge);
    REQUIRE(h.edge.status().role == Role::leader);
    REQUIRE(h.edge.status().epoch == 6);
    h.env.take_sent();
    h.edge.on_message(3, Heartbeat{2});
    CHECK(h.edge.status().role == Role::candidate);
    auto elections = h.env.sent_of<Election>();
    REQUIRE(elections.size() == 1);
    CHECK(elections[0].first == 3);
    CHECK(elections[0].second.epoch == 6);  // Carries the newer epoch to the higher edge.
  }
  SECTION("a leader hearing a lower leader re-announces itself with a new epoch") {
    EdgeHarness h(3);
    h.edge.on_start();
    h.env.take_sent();
    h.edge.on_message(2, Heartbeat{4});
    CHECK(h.edge.status().role == Role::leader);
    CHECK(h.edge.status().epoch == 5);
    CHECK(h.env.sent_of<Coordinator>().size() == 2);
  }
  SECTION("a leader re-announces once for a burst of a lower leader's stale heartbeats") {
    // After a real partition heals, TCP delivers every heartbeat the other side's leader sent meanwhile.
    EdgeHarness h(3);
    h.edge.on_start();
    h.env.take_sent();
    for (int i = 0; i < 50; ++i) h.edge.on_message(2, Heartbeat{4});
    CHECK(h.edge.status().role == Role::leader);
    CHECK(h.edge.status().epoch == 5);
    CHECK(h.edge.counters().times_elected == 2);
    CHECK(h.env.sent_of<Coordinator>().size() == 2);
  }
  SECTION("a follower hearing a higher edge than its leader elects") {
    EdgeHarness h(1);
    h.follow(2, 3);
    h.edge.on_message(3, Coordinator{1});  // Stale epoch, but a higher edge is alive.
    CHECK(h.edge.status().role == Role::candidate);
  }
}

TEST_CASE("a lower edge's Coordinator is bullied", "[core][election]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(1, Coordinator{2});
  CHECK(h.edge.status().role == Role::candidate);
  CHECK(h.env.sent_of<Election>().size() == 1);
}

TEST_CASE("the classic protocol sends no heartbeats and its leader never steps down", "[core][election]") {
  EdgeHarness h(2, 1 << 20, Protocol::classic);
  h.edge.on_start();
  h.env.advance_by(ms_to_us(h.edge.config().answer_timeout_ms), h.edge);
  REQUIRE(h.edge.status().role == Role::leader);
  CHECK(h.env.count_timers(TimerKind::heartbeat) == 0);
  h.edge.on_message(3, Coordinator{1});
  h.edge.on_message(3, Heartbeat{1});
  CHECK(h.edge.status().role == Role::leader);

  EdgeHarness follower(1, 1 << 20, Protocol::classic);
  follower.follow(3, 1);
  follower.env.advance_by(ms_to_us(10 * follower.edge.config().leader_timeout_ms), follower.edge);
  CHECK(follower.edge.status().role == Role::follower);  // Never notices a silent leader.
  CHECK(follower.edge.status().leader == NodeId{3});
}

TEST_CASE("epochs more than max_epoch_jump ahead are refused and counted", "[core][election]") {
  // Edge 1 follows edge 3 at epoch 5. A Coordinator or Heartbeat with the largest epoch there is, even from
  // its own leader, changes nothing; neither does a lower edge's Election carrying it. Epochs up to
  // max_epoch_jump ahead are believed, so a cluster far along still reaches a freshly restarted edge.
  EdgeHarness h(1);
  h.follow(3, 5);
  const Epoch top = std::numeric_limits<Epoch>::max();
  h.edge.on_message(3, Coordinator{top});
  h.edge.on_message(3, Heartbeat{top});
  h.edge.on_message(2, Coordinator{5 + max_epoch_jump + 1});
  CHECK(h.env.sent.empty());
  CHECK(h.edge.status().epoch == 5);
  CHECK(h.edge.status().leader == NodeId{3});
  CHECK(h.edge.counters().epoch_jumps_refused == 3);

  h.edge.on_message(3, Coordinator{5 + max_epoch_jump});
  CHECK(h.edge.status().epoch == 5 + max_epoch_jump);
  CHECK(h.edge.counters().epoch_jumps_refused == 3);

  EdgeHarness fresh(2);
  fresh.edge.on_message(1, Election{top});
  CHECK(fresh.env.sent_of<Answer>().empty());
  CHECK(fresh.edge.counters().epoch_jumps_refused == 1);
  fresh.edge.on_message(3, Coordinator{1'000'000});
  CHECK(fresh.edge.status().leader == NodeId{3});
  CHECK(fresh.edge.status().epoch == 1'000'000);
}

TEST_CASE("the leader a forged top epoch would have stranded is still followed", "[core][election]") {
  // A follower that took the top epoch from a forger would wait for a term its real leader could never
  // announce (the next epoch wrapped to 0). Refused, the forgery leaves it answering its leader's heartbeats.
  EdgeHarness h(1);
  h.follow(3, 1);
  h.edge.on_message(2, Coordinator{std::numeric_limits<Epoch>::max()});
  h.edge.on_message(3, Heartbeat{1});
  auto acks = h.env.sent_of<HeartbeatAck>();
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].first == 3);
  CHECK(h.edge.status().epoch == 1);
}

TEST_CASE("epoch arithmetic saturates at the top of the type instead of wrapping", "[core][election]") {
  const Epoch top = std::numeric_limits<Epoch>::max();
  CHECK(next_epoch(0) == 1);
  CHECK(next_epoch(41) == 42);
  CHECK(next_epoch(top - 1) == top);
  CHECK(next_epoch(top) == top);
  CHECK(epoch_jump_allowed(0, max_epoch_jump));
  CHECK_FALSE(epoch_jump_allowed(0, max_epoch_jump + 1));
  CHECK_FALSE(epoch_jump_allowed(0, top));
  CHECK(epoch_jump_allowed(top - max_epoch_jump, top));
  CHECK(epoch_jump_allowed(top, 0));  // An old epoch is the handlers' to judge stale.
  CHECK(epoch_jump_allowed(top, top));
}
