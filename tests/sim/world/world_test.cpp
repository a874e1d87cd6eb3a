// Tests for the simulated world. Each test builds a tiny cluster of scripted test nodes whose behaviour is
// set per test through hooks, runs the world to fixed times, and checks exact outcomes: which node saw
// what, at which global time, and what the observer was told. Latencies are constant unless a test is
// about randomness, so expected times can be written down by hand. The determinism tests instead run a
// randomized, lossy, jittery cluster twice and compare complete observer logs.
//
// tidy: long file: one scripted test node and one observer serve every test of the world's verbs.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/codec.h"
#include "sim/world/world.h"

namespace edgecache::sim {
namespace {

LinkOptions constant_link(double latency_ms) {
  LinkOptions link;
  link.latency_ms_mean = latency_ms;
  return link;
}

std::string describe(const Message& message) {
  if (const auto* heartbeat = std::get_if<Heartbeat>(&message)) {
    return "heartbeat " + std::to_string(heartbeat->epoch);
  }
  return "kind " + std::to_string(message.index());
}

class TestNode;

// What a test node does; every hook is optional.
struct Behavior {
  std::function<void(TestNode&)> on_start;
  std::function<void(TestNode&, NodeId, const Message&)> on_message;
  std::function<void(TestNode&, const Timer&)> on_timer;
};

// What the nodes saw, each line stamped with the global time and the node's local time.
struct NodeLog {
  World* world = nullptr;
  std::vector<std::string> lines;
};

class TestNode : public Node {
 public:
  TestNode(Env& node_env, NodeLog& log, const Behavior& behavior) : env(node_env), log_(log), behavior_(behavior) {}

  void on_start() override {
    record("start");
    if (behavior_.on_start) behavior_.on_start(*this);
  }
  void on_message(NodeId from, const Message& message) override {
    record("from " + std::to_string(from) + " " + describe(message));
    if (behavior_.on_message) behavior_.on_message(*this, from, message);
  }
  void on_timer(const Timer& timer) override {
    record("timer " + std::to_string(timer.key));
    if (behavior_.on_timer) behavior_.on_timer(*this, timer);
  }

  Env& env;

 private:
  void record(const std::string& what) {
    log_.lines.push_back(std::to_string(log_.world->now()) + " local " + std::to_string(env.now_us()) + " node " +
                         std::to_string(env.self()) + " " + what);
  }

  NodeLog& log_;
  const Behavior& behavior_;
};

// Writes down every observer callback as one line.
class LogObserver : public WorldObserver {
 public:
  void on_send(TimeUs now, NodeId from, NodeId to, const Message& message, SendFate fate) override {
    add(now, "send " + std::to_string(from) + "->" + std::to_string(to) + " " + describe(message) + " " +
                 send_fate_name(fate));
  }
  void on_deliver(TimeUs now, NodeId from, NodeId to, const Message& message) override {
    add(now, "deliver " + std::to_string(from) + "->" + std::to_string(to) + " " + describe(message));
  }
  void on_drop(TimeUs now, NodeId from, NodeId to, const Message& message, DropReason reason) override {
    add(now, "drop " + std::to_string(from) + "->" + std::to_string(to) + " " + describe(message) + " " +
                 drop_reason_name(reason));
  }
  void on_timer(TimeUs now, NodeId node, const Timer& timer) override {
    add(now, "timer " + std::to_string(node) + " " + std::to_string(timer.key));
  }
  void on_host_event(TimeUs now, NodeId node, HostEvent event) override {
    add(now, "host " + std::to_string(node) + " " + host_event_name(event));
  }
  void after_event(TimeUs /*now*/) override { ++events; }

  std::size_t count_containing(const std::string& needle) const {
    std::size_t count = 0;
    for (const std::string& line : lines) count += line.find(needle) != std::string::npos ? 1 : 0;
    return count;
  }

  std::vector<std::string> lines;
  std::uint64_t events = 0;

 private:
  void add(TimeUs now, const std::string& what) { lines.push_back(std::to_string(now) + " " + what); }
};

// A world of test nodes sharing one behaviour and one log, with an observer attached.
struct Fixture {
  explicit Fixture(LinkOptions network, std::uint64_t seed = 1) : world(seed, network) {
    log.world = &world;
    world.add_observer(observer);
  }

  void add(NodeId id) {
    world.add_host(id, "host-" + std::to_string(id), [this](Env& env) {
      ++builds;
      return std::make_unique<TestNode>(env, log, behavior);
    });
  }

  TestNode& node(NodeId id) {
    Node* found = world.node(id);
    REQUIRE(found != nullptr);
    return static_cast<TestNode&>(*found);
  }

  // Makes `from` send each heartbeat epoch in `epochs` to `to`, as an injected input, now.
  void send(NodeId from, NodeId to, std::vector<Epoch> epochs) {
    REQUIRE(world.inject(from, [to, epochs](Node& sender) {
      for (const Epoch epoch : epochs) static_cast<TestNode&>(sender).env.send(to, Heartbeat{epoch});
    }));
  }

  Behavior behavior;
  NodeLog log;
  LogObserver observer;
  World world;
  int builds = 0;
};

std::vector<std::string> lines_of_node(const NodeLog& log, NodeId id) {
  std::vector<std::string> result;
  const std::string needle = " node " + std::to_string(id) + " ";
  for (const std::string& line : log.lines) {
    if (line.find(needle) != std::string::npos) result.push_back(line);
  }
  return result;
}

TEST_CASE("World: ping-pong under constant latency arrives at exact times", "[sim][world]") {
  Fixture fixture(constant_link(1.5));
  fixture.behavior.on_start = [](TestNode& node) {
    if (node.env.self() == 1) node.env.send(2, Heartbeat{1});
  };
  fixture.behavior.on_message = [](TestNode& node, NodeId from, const Message& message) {
    const Epoch epoch = std::get<Heartbeat>(message).epoch;
    if (epoch < 4) node.env.send(from, Heartbeat{epoch + 1});
  };
  fixture.add(1);
  fixture.add(2);
  CHECK(fixture.world.node(1) != nullptr);  // Built at add_host, started by the first event.
  CHECK(fixture.log.lines.empty());

  fixture.world.run_until(ms_to_us(100));
  CHECK(fixture.log.lines == std::vector<std::string>{
                                 "0 local 0 node 1 start",
                                 "0 local 0 node 2 start",
                                 "1500 local 1500 node 2 from 1 heartbeat 1",
                                 "3000 local 3000 node 1 from 2 heartbeat 2",
                                 "4500 local 4500 node 2 from 1 heartbeat 3",
                                 "6000 local 6000 node 1 from 2 heartbeat 4",
                             });
  CHECK(fixture.world.now() == ms_to_us(100));
  // Two starts and four deliveries; after_event saw each of them.
  CHECK(fixture.world.events_processed() == 6);
  CHECK(fixture.observer.events == 6);
  CHECK(fixture.observer.count_containing("host 1 started") == 1);
  CHECK(fixture.observer.count_containing("scheduled") == 4);
  CHECK_FALSE(fixture.world.step());
}

TEST_CASE("World: events due at the same time run in schedule order", "[sim][world]") {
  Fixture fixture(constant_link(2.0));
  fixture.add(1);
  fixture.add(2);
  fixture.world.run_until(0);

  std::vector<std::string> order;
  fixture.world.schedule(ms_to_us(5), [&] {
    order.push_back("a");
    // Scheduled for the current time, it still runs after everything already due now.
    fixture.world.schedule(fixture.world.now(), [&] { order.push_back("d"); });
  });
  fixture.world.schedule(ms_to_us(5), [&] { order.push_back("b"); });
  fixture.world.schedule(ms_to_us(4), [&] { order.push_back("first"); });
  fixture.world.schedule(ms_to_us(5), [&] { order.push_back("c"); });
  fixture.send(1, 2, {1, 2, 3});
  fixture.world.run_until(ms_to_us(10));
  CHECK(order == std::vector<std::string>{"first", "a", "b", "c", "d"});
  CHECK(lines_of_node(fixture.log, 2) == std::vector<std::string>{
                                             "0 local 0 node 2 start",
                                             "2000 local 2000 node 2 from 1 heartbeat 1",
                                             "2000 local 2000 node 2 from 1 heartbeat 2",
                                             "2000 local 2000 node 2 from 1 heartbeat 3",
                                         });
}

TEST_CASE("World: step runs one event at a time", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.add(1);
  fixture.add(2);
  CHECK(fixture.world.step());
  CHECK(fixture.log.lines.size() == 1);
  CHECK(fixture.world.step());
  CHECK(fixture.log.lines.size() == 2);
  CHECK_FALSE(fixture.world.step());
  CHECK(fixture.world.events_processed() == 2);
}

TEST_CASE("World: loss probability 1 drops everything and 0 nothing", "[sim][world]") {
  LinkOptions lossy = constant_link(1.0);
  lossy.loss_probability = 1.0;
  Fixture lost(lossy);
  lost.add(1);
  lost.add(2);
  lost.world.run_until(0);
  lost.send(1, 2, std::vector<Epoch>(100, 1));
  lost.world.run_until(ms_to_us(10));
  CHECK(lost.observer.count_containing("lost") == 100);
  CHECK(lost.observer.count_containing("deliver") == 0);

  Fixture kept(constant_link(1.0));
  kept.add(1);
  kept.add(2);
  kept.world.run_until(0);
  kept.send(1, 2, std::vector<Epoch>(100, 1));
  kept.world.run_until(ms_to_us(10));
  CHECK(kept.observer.count_containing("scheduled") == 100);
  CHECK(kept.observer.count_containing("deliver") == 100);
}

TEST_CASE("World: duplicated messages are delivered twice", "[sim][world]") {
  LinkOptions doubling = constant_link(1.0);
  doubling.duplicate_probability = 1.0;
  Fixture fixture(doubling);
  fixture.add(1);
  fixture.add(2);
  fixture.world.run_until(0);
  fixture.send(1, 2, {1, 2});
  fixture.world.run_until(ms_to_us(10));
  CHECK(fixture.observer.count_containing("duplicated") == 2);
  CHECK(lines_of_node(fixture.log, 2) == std::vector<std::string>{
                                             "0 local 0 node 2 start",
                                             "1000 local 1000 node 2 from 1 heartbeat 1",
                                             "1000 local 1000 node 2 from 1 heartbeat 1",
                                             "1000 local 1000 node 2 from 1 heartbeat 2",
                                             "1000 local 1000 node 2 from 1 heartbeat 2",
                                         });
}

TEST_CASE("World: a message to an unknown host is dropped as partitioned", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.add(1);
  fixture.world.run_until(0);
  fixture.send(1, 77, {1});
  fixture.world.run_until(ms_to_us(10));
  CHECK(fixture.observer.count_containing("send 1->77 heartbeat 1 partitioned") == 1);
  CHECK_FALSE(fixture.world.link_open(1, 77));
}

TEST_CASE("World: a partition blocks both ways until healed", "[sim][world]") {
  Fixture fixture(constant_link(10.0));
  for (NodeId id = 1; id <= 3; ++id) fixture.add(id);
  fixture.world.run_until(0);

  // A message already in flight when the partition starts is dropped on arrival.
  fixture.send(1, 2, {1});
  fixture.world.run_until(ms_to_us(5));
  fixture.world.partition({{1, 3}});  // Host 2 is in no group, so it forms a group of its own.
  CHECK_FALSE(fixture.world.link_open(1, 2));
  CHECK_FALSE(fixture.world.link_open(2, 1));
  CHECK_FALSE(fixture.world.link_open(3, 2));
  CHECK(fixture.world.link_open(1, 3));
  CHECK(fixture.world.link_open(3, 1));
  fixture.send(1, 2, {2});
  fixture.send(2, 1, {3});
  fixture.send(3, 1, {4});
  fixture.world.run_until(ms_to_us(50));
  CHECK(fixture.observer.count_containing("10000 drop 1->2 heartbeat 1 partitioned") == 1);
  CHECK(fixture.observer.count_containing("send 1->2 heartbeat 2 partitioned") == 1);
  CHECK(fixture.observer.count_containing("send 2->1 heartbeat 3 partitioned") == 1);
  CHECK(fixture.observer.count_containing("15000 deliver 3->1 heartbeat 4") == 1);

  // A new partition replaces the old one.
  fixture.world.partition({{1}, {2}, {3}});
  CHECK_FALSE(fixture.world.link_open(1, 3));

  fixture.world.heal();
  for (NodeId from = 1; from <= 3; ++from) {
    for (NodeId to = 1; to <= 3; ++to) {
      if (from != to) CHECK(fixture.world.link_open(from, to));
    }
  }
  fixture.send(1, 2, {5});
  fixture.send(2, 1, {6});
  fixture.world.run_until(ms_to_us(100));
  CHECK(fixture.observer.count_containing("60000 deliver 1->2 heartbeat 5") == 1);
  CHECK(fixture.observer.count_containing("60000 deliver 2->1 heartbeat 6") == 1);
}

TEST_CASE("World: cut is one way and isolate cuts a host off", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  for (NodeId id = 1; id <= 3; ++id) fixture.add(id);
  fixture.world.run_until(0);

  fixture.world.cut(1, 2);
  CHECK_FALSE(fixture.world.link_open(1, 2));
  CHECK(fixture.world.link_open(2, 1));
  fixture.send(1, 2, {1});
  fixture.send(2, 1, {2});
  fixture.world.run_until(ms_to_us(10));
  CHECK(fixture.observer.count_containing("send 1->2 heartbeat 1 partitioned") == 1);
  CHECK(fixture.observer.count_containing("deliver 2->1 heartbeat 2") == 1);
  fixture.world.heal();
  CHECK(fixture.world.link_open(1, 2));

  fixture.world.isolate(2);
  CHECK_FALSE(fixture.world.link_open(1, 2));
  CHECK_FALSE(fixture.world.link_open(2, 3));
  CHECK_FALSE(fixture.world.link_open(3, 2));
  CHECK(fixture.world.link_open(1, 3));
  fixture.world.heal();
  CHECK(fixture.world.link_open(3, 2));
}

TEST_CASE("World: degrade and restore change one link or all", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  for (NodeId id = 1; id <= 3; ++id) fixture.add(id);
  fixture.world.run_until(0);

  fixture.world.degrade(1, 2, constant_link(50.0));
  fixture.send(1, 2, {1});
  fixture.send(2, 1, {2});
  fixture.world.run_until(ms_to_us(100));
  CHECK(fixture.observer.count_containing("50000 deliver 1->2 heartbeat 1") == 1);
  CHECK(fixture.observer.count_containing("1000 deliver 2->1 heartbeat 2") == 1);

  fixture.world.restore(1, 2);
  fixture.send(1, 2, {3});
  fixture.world.run_until(ms_to_us(200));
  CHECK(fixture.observer.count_containing("101000 deliver 1->2 heartbeat 3") == 1);

  LinkOptions dead = constant_link(1.0);
  dead.loss_probability = 1.0;
  fixture.world.degrade_all(dead);
  fixture.world.restore(1, 2);  // Singles one link out of the degraded network.
  fixture.send(1, 2, {4});
  fixture.send(1, 3, {5});
  fixture.world.run_until(ms_to_us(300));
  CHECK(fixture.observer.count_containing("deliver 1->2 heartbeat 4") == 1);
  CHECK(fixture.observer.count_containing("send 1->3 heartbeat 5 lost") == 1);

  fixture.world.restore_all();
  fixture.send(1, 3, {6});
  fixture.world.run_until(ms_to_us(400));
  CHECK(fixture.observer.count_containing("deliver 1->3 heartbeat 6") == 1);
}

TEST_CASE("World: bandwidth adds the encoded size to the delay", "[sim][world]") {
  LinkOptions slow = constant_link(0.0);
  slow.bandwidth_bytes_per_ms = 4.0;
  Fixture fixture(slow);
  fixture.add(1);
  fixture.add(2);
  fixture.world.run_until(0);
  fixture.send(1, 2, {1});
  fixture.world.run_until(ms_to_us(100));
  const TimeUs expected_us =
      std::llround(static_cast<double>(encoded_size(Message{Heartbeat{1}})) / 4.0 * 1000.0);
  CHECK(fixture.observer.count_containing(std::to_string(expected_us) + " deliver 1->2") == 1);
}

TEST_CASE("World: timers fire once, can be cancelled, and have unique ids", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  std::vector<TimerId> ids;
  fixture.behavior.on_start = [&](TestNode& node) {
    ids.push_back(node.env.start_timer(ms_to_us(5), Timer{TimerKind::heartbeat, 1}));
    ids.push_back(node.env.start_timer(ms_to_us(3), Timer{TimerKind::heartbeat, 2}));
    ids.push_back(node.env.start_timer(ms_to_us(5), Timer{TimerKind::heartbeat, 3}));
    node.env.cancel_timer(ids[0]);
    node.env.cancel_timer(ids[0]);  // Cancelling twice does nothing more.
  };
  fixture.behavior.on_timer = [&](TestNode& node, const Timer& timer) {
    // The fired timer's id is stale now; cancelling it must not hit the timer that reuses its slot.
    if (timer.key == 2) {
      node.env.cancel_timer(ids[1]);
      ids.push_back(node.env.start_timer(ms_to_us(1), Timer{TimerKind::heartbeat, 4}));
      node.env.cancel_timer(ids[1]);
    }
  };
  fixture.add(1);
  fixture.world.run_until(ms_to_us(20));
  CHECK(lines_of_node(fixture.log, 1) == std::vector<std::string>{
                                             "0 local 0 node 1 start",
                                             "3000 local 3000 node 1 timer 2",
                                             "4000 local 4000 node 1 timer 4",
                                             "5000 local 5000 node 1 timer 3",
                                         });
  REQUIRE(ids.size() == 4);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    CHECK(ids[i] != 0);
    for (std::size_t j = i + 1; j < ids.size(); ++j) CHECK(ids[i] != ids[j]);
  }
  // Cancelled timers are not events.
  CHECK(fixture.world.events_processed() == 4);
}

TEST_CASE("World: crash drops in-flight messages and timers; restart rebuilds", "[sim][world]") {
  Fixture fixture(constant_link(10.0));
  fixture.behavior.on_start = [](TestNode& node) {
    if (node.env.self() == 2) node.env.start_timer(ms_to_us(5), Timer{TimerKind::heartbeat, 9});
    if (node.env.self() == 1) node.env.send(2, Heartbeat{1});
  };
  fixture.add(1);
  fixture.add(2);
  CHECK(fixture.builds == 2);
  fixture.world.run_until(ms_to_us(1));

  CHECK(fixture.world.crash(2));
  CHECK_FALSE(fixture.world.crash(2));
  CHECK_FALSE(fixture.world.is_up(2));
  CHECK(fixture.world.node(2) == nullptr);
  CHECK_FALSE(fixture.world.pause(2));
  CHECK_FALSE(fixture.world.inject(2, [](Node&) {}));
  fixture.world.run_until(ms_to_us(45));
  // A message sent while the host is down is lost even if it arrives after the restart.
  fixture.send(1, 2, {2});
  fixture.world.run_until(ms_to_us(50));
  CHECK(fixture.world.restart(2));
  CHECK(fixture.builds == 3);
  fixture.world.run_until(ms_to_us(100));

  CHECK(lines_of_node(fixture.log, 2) == std::vector<std::string>{
                                             "0 local 0 node 2 start",
                                             "50000 local 50000 node 2 start",
                                             "55000 local 55000 node 2 timer 9",
                                         });
  CHECK(fixture.observer.count_containing("1000 host 2 crashed") == 1);
  CHECK(fixture.observer.count_containing("10000 drop 1->2 heartbeat 1 destination_down") == 1);
  CHECK(fixture.observer.count_containing("55000 drop 1->2 heartbeat 2 destination_down") == 1);
  CHECK(fixture.observer.count_containing("50000 host 2 restarted") == 1);
  CHECK(fixture.observer.count_containing("timer 2 9") == 1);
}

TEST_CASE("World: restarting a running host crashes it first", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.behavior.on_start = [](TestNode& node) {
    node.env.start_timer(ms_to_us(10), Timer{TimerKind::heartbeat, static_cast<std::uint64_t>(node.env.now_us())});
  };
  fixture.add(1);
  fixture.world.run_until(ms_to_us(5));
  CHECK(fixture.world.restart(1));
  CHECK(fixture.world.is_running(1));
  fixture.world.run_until(ms_to_us(30));
  // Only the new incarnation's timer (keyed by its start time) fires.
  CHECK(lines_of_node(fixture.log, 1) == std::vector<std::string>{
                                             "0 local 0 node 1 start",
                                             "5000 local 5000 node 1 start",
                                             "15000 local 15000 node 1 timer 5000",
                                         });
  CHECK(fixture.observer.lines == std::vector<std::string>{
                                      "0 host 1 started",
                                      "5000 host 1 crashed",
                                      "5000 host 1 restarted",
                                      "15000 timer 1 5000",
                                  });
}

TEST_CASE("World: pause holds inputs and resume replays them in order", "[sim][world]") {
  Fixture fixture(constant_link(10.0));
  fixture.behavior.on_start = [](TestNode& node) {
    if (node.env.self() == 2) node.env.start_timer(ms_to_us(20), Timer{TimerKind::heartbeat, 7});
    if (node.env.self() == 1) node.env.send(2, Heartbeat{1});
  };
  fixture.add(1);
  fixture.add(2);
  fixture.world.run_until(ms_to_us(5));
  CHECK(fixture.world.pause(2));
  CHECK_FALSE(fixture.world.pause(2));
  CHECK(fixture.world.is_paused(2));
  CHECK(fixture.world.is_up(2));
  CHECK_FALSE(fixture.world.is_running(2));
  fixture.world.run_until(ms_to_us(15));
  fixture.send(1, 2, {2});  // Arrives at 25 ms, after the timer came due.
  fixture.world.run_until(ms_to_us(16));
  CHECK(fixture.world.inject(2, [](Node& node) { static_cast<TestNode&>(node).env.send(1, Heartbeat{3}); }));
  // A partition that starts after a message reached the paused host does not take it back.
  fixture.world.run_until(ms_to_us(40));
  fixture.world.cut(1, 2);
  fixture.world.run_until(ms_to_us(100));
  CHECK(lines_of_node(fixture.log, 2) == std::vector<std::string>{"0 local 0 node 2 start"});
  CHECK(fixture.world.local_time(2) == ms_to_us(100));

  CHECK(fixture.world.resume(2));
  CHECK_FALSE(fixture.world.resume(2));
  fixture.world.run_until(ms_to_us(100));
  CHECK(lines_of_node(fixture.log, 2) == std::vector<std::string>{
                                             "0 local 0 node 2 start",
                                             "100000 local 100000 node 2 from 1 heartbeat 1",
                                             "100000 local 100000 node 2 timer 7",
                                             "100000 local 100000 node 2 from 1 heartbeat 2",
                                         });
  fixture.world.heal();
  fixture.world.run_until(ms_to_us(200));
  // The injected action was held too and ran at resume, in its place between the first message (due at
  // 10 ms) and the timer (due at 20 ms), since it was injected at 16 ms.
  std::vector<std::string> at_resume;
  for (const std::string& line : fixture.observer.lines) {
    if (line.rfind("100000 ", 0) == 0) at_resume.push_back(line);
  }
  CHECK(at_resume == std::vector<std::string>{
                         "100000 host 2 resumed",
                         "100000 deliver 1->2 heartbeat 1",
                         "100000 send 2->1 heartbeat 3 scheduled",
                         "100000 timer 2 7",
                         "100000 deliver 1->2 heartbeat 2",
                     });
  CHECK(fixture.observer.count_containing("110000 deliver 2->1 heartbeat 3") == 1);
  CHECK(fixture.observer.count_containing("100000 host 2 resumed") == 1);
}

TEST_CASE("World: a slow host handles one event per busy period, first come first served", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.behavior.on_start = [](TestNode& node) {
    if (node.env.self() == 2) node.env.start_timer(ms_to_us(7), Timer{TimerKind::heartbeat, 7});
  };
  fixture.add(1);
  fixture.add(2);
  fixture.world.run_until(0);
  fixture.world.slow(2, ms_to_us(5));
  CHECK(fixture.world.is_running(2));
  fixture.send(1, 2, {1, 2, 3});  // All three arrive at 1 ms.
  fixture.world.run_until(ms_to_us(30));
  // The first arrival keeps host 2 busy until 6 ms, the second until 11 ms; the timer came due at 7 ms,
  // behind the third message, so it waits until 16 ms.
  CHECK(lines_of_node(fixture.log, 2) == std::vector<std::string>{
                                             "0 local 0 node 2 start",
                                             "1000 local 1000 node 2 from 1 heartbeat 1",
                                             "6000 local 6000 node 2 from 1 heartbeat 2",
                                             "11000 local 11000 node 2 from 1 heartbeat 3",
                                             "16000 local 16000 node 2 timer 7",
                                         });
  // Made fast again, it handles the next message when it arrives.
  fixture.world.slow(2, 0);
  fixture.send(1, 2, {4});
  fixture.world.run_until(ms_to_us(40));
  CHECK(lines_of_node(fixture.log, 2).back() == "31000 local 31000 node 2 from 1 heartbeat 4");
}

TEST_CASE("World: a hold keeps messages until release delivers them, in send order or shuffled", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.add(1);
  fixture.add(2);
  fixture.add(3);
  fixture.world.run_until(0);
  fixture.world.hold({{1}, {2}});  // Host 3 is in neither group: held from both.
  fixture.send(1, 2, {1, 2, 3});
  fixture.send(2, 1, {4});
  fixture.send(1, 3, {5});
  fixture.world.run_until(ms_to_us(50));
  CHECK(fixture.world.held_count() == 5);
  CHECK(lines_of_node(fixture.log, 2).size() == 1);  // Only its start: nothing delivered, nothing dropped.
  CHECK(fixture.observer.count_containing("drop") == 0);
  fixture.world.release(false);
  CHECK(fixture.world.held_count() == 0);
  fixture.world.run_until(ms_to_us(50));
  CHECK(lines_of_node(fixture.log, 2) == std::vector<std::string>{
                                             "0 local 0 node 2 start",
                                             "50000 local 50000 node 2 from 1 heartbeat 1",
                                             "50000 local 50000 node 2 from 1 heartbeat 2",
                                             "50000 local 50000 node 2 from 1 heartbeat 3",
                                         });
  CHECK(lines_of_node(fixture.log, 3).back() == "50000 local 50000 node 3 from 1 heartbeat 5");
  // After the release the links deliver again as usual.
  fixture.send(1, 2, {6});
  fixture.world.run_until(ms_to_us(60));
  CHECK(lines_of_node(fixture.log, 2).back() == "51000 local 51000 node 2 from 1 heartbeat 6");

  // One directed link held, released shuffled: everything arrives, in an order the seed decides.
  fixture.world.hold_link(1, 2);
  std::vector<Epoch> epochs;
  for (Epoch epoch = 100; epoch < 120; ++epoch) epochs.push_back(epoch);
  fixture.send(1, 2, epochs);
  fixture.send(2, 1, {7});  // The other direction is not held.
  fixture.world.run_until(ms_to_us(70));
  CHECK(lines_of_node(fixture.log, 1).back() == "61000 local 61000 node 1 from 2 heartbeat 7");
  CHECK(fixture.world.held_count() == epochs.size());
  fixture.world.release(true);
  fixture.world.run_until(ms_to_us(70));
  std::vector<std::string> released = lines_of_node(fixture.log, 2);
  released.erase(released.begin(), released.end() - static_cast<std::ptrdiff_t>(epochs.size()));
  std::vector<std::string> in_send_order;
  for (const Epoch epoch : epochs) {
    in_send_order.push_back("70000 local 70000 node 2 from 1 heartbeat " + std::to_string(epoch));
  }
  CHECK(released != in_send_order);
  std::sort(released.begin(), released.end());
  std::sort(in_send_order.begin(), in_send_order.end());
  CHECK(released == in_send_order);
}

TEST_CASE("World: crashing a paused host discards what it held", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.add(1);
  fixture.add(2);
  fixture.world.run_until(0);
  CHECK(fixture.world.pause(2));
  fixture.send(1, 2, {1});
  fixture.world.run_until(ms_to_us(5));
  CHECK(fixture.world.crash(2));
  CHECK(fixture.observer.count_containing("5000 drop 1->2 heartbeat 1 destination_down") == 1);
  CHECK(fixture.world.restart(2));
  CHECK_FALSE(fixture.world.is_paused(2));
  fixture.world.run_until(ms_to_us(50));
  CHECK(lines_of_node(fixture.log, 2) == std::vector<std::string>{
                                             "0 local 0 node 2 start",
                                             "5000 local 5000 node 2 start",
                                         });
}

TEST_CASE("World: clock drift and jumps move local time and timers", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.behavior.on_start = [](TestNode& node) {
    node.env.start_timer(1001000, Timer{TimerKind::heartbeat, 1});
  };
  fixture.add(1);
  fixture.add(2);
  fixture.add(3);
  fixture.world.set_clock(1, 0, 1000.0);   // 0.1% fast: 1001 ms of local time pass in 1000 ms.
  fixture.world.set_clock(2, 0, -1000.0);  // 0.1% slow: ceil(1001000 / 0.999) = 1002003 us.
  fixture.world.set_clock(3, 7000, 0.0);   // Only offset: the timer still takes 1001 ms.
  CHECK(fixture.world.local_time(3) == 7000);
  fixture.world.run_until(ms_to_us(2000));
  CHECK(fixture.observer.count_containing("1000000 timer 1 1") == 1);
  CHECK(fixture.observer.count_containing("1002003 timer 2 1") == 1);
  CHECK(fixture.observer.count_containing("1001000 timer 3 1") == 1);
  CHECK(fixture.world.local_time(1) == 2002000);
  CHECK(fixture.world.local_time(2) == 1998000);
  CHECK(fixture.world.local_time(3) == 2007000);
  CHECK(lines_of_node(fixture.log, 1).back() == "1000000 local 1001000 node 1 timer 1");
}

TEST_CASE("World: inject runs on the node as an event of its own", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.add(1);
  fixture.add(2);
  fixture.world.run_until(ms_to_us(3));
  int ran = 0;
  CHECK(fixture.world.inject(1, [&](Node& node) {
    ++ran;
    CHECK(static_cast<TestNode&>(node).env.self() == 1);
  }));
  CHECK(ran == 0);
  const std::uint64_t before = fixture.world.events_processed();
  fixture.world.run_until(ms_to_us(3));
  CHECK(ran == 1);
  CHECK(fixture.world.events_processed() == before + 1);
}

TEST_CASE("World: host queries", "[sim][world]") {
  Fixture fixture(constant_link(1.0));
  fixture.add(5);
  fixture.add(100000);  // Large ids take the sparse lookup path.
  fixture.add(2);
  CHECK(fixture.world.host_ids() == std::vector<NodeId>{2, 5, 100000});
  CHECK(fixture.world.name(100000) == "host-100000");
  CHECK(fixture.world.find("host-5") == std::optional<NodeId>(5));
  CHECK_FALSE(fixture.world.find("nobody").has_value());
  CHECK_FALSE(fixture.world.is_up(3));
  CHECK(fixture.world.node(3) == nullptr);
  CHECK(fixture.world.seed() == 1);
  fixture.send(5, 100000, {1});
  fixture.world.run_until(ms_to_us(5));
  CHECK(fixture.observer.count_containing("1000 deliver 5->100000 heartbeat 1") == 1);
}

// A randomized cluster: every node gossips to random peers on random timers over a lossy, jittery,
// duplicating network, with a crash, a pause and a partition thrown in. Returns the observer's log.
std::vector<std::string> randomized_run(std::uint64_t seed, NodeId hosts) {
  LinkOptions network;
  network.latency_distribution = LatencyDistribution::normal;
  network.latency_ms_mean = 5.0;
  network.latency_ms_stddev = 2.0;
  network.jitter_ms = 3.0;
  network.loss_probability = 0.1;
  network.duplicate_probability = 0.05;
  Fixture fixture(network, seed);
  const NodeId count = hosts;
  fixture.behavior.on_start = [](TestNode& node) {
    node.env.start_timer(static_cast<TimeUs>(node.env.random_u64() % 10000), Timer{TimerKind::heartbeat, 0});
  };
  fixture.behavior.on_timer = [count](TestNode& node, const Timer& timer) {
    NodeId peer = static_cast<NodeId>(1 + node.env.random_u64() % count);
    if (peer == node.env.self()) peer = peer % count + 1;
    node.env.send(peer, Heartbeat{timer.key});
    node.env.start_timer(static_cast<TimeUs>(node.env.random_u64() % 10000), Timer{TimerKind::heartbeat, timer.key + 1});
  };
  fixture.behavior.on_message = [](TestNode& node, NodeId from, const Message& message) {
    if (node.env.random_u64() % 2 == 0) node.env.send(from, Heartbeat{std::get<Heartbeat>(message).epoch + 1000});
  };
  for (NodeId id = 1; id <= count; ++id) fixture.add(id);
  fixture.world.schedule(ms_to_us(300), [&] { fixture.world.crash(2); });
  fixture.world.schedule(ms_to_us(500), [&] { fixture.world.restart(2); });
  fixture.world.schedule(ms_to_us(400), [&] { fixture.world.pause(3); });
  fixture.world.schedule(ms_to_us(700), [&] { fixture.world.resume(3); });
  fixture.world.schedule(ms_to_us(600), [&] { fixture.world.partition({{1, 2}}); });
  fixture.world.schedule(ms_to_us(800), [&] { fixture.world.heal(); });
  fixture.world.run_until(ms_to_us(1000));
  return fixture.observer.lines;
}

TEST_CASE("World: the same seed reproduces a randomized run exactly", "[sim][world][determinism]") {
  const std::vector<std::string> first = randomized_run(42, 5);
  REQUIRE(first.size() > 1000);
  CHECK(first == randomized_run(42, 5));
  CHECK(first != randomized_run(43, 5));
  // The run exercised every kind of fate.
  std::size_t lost = 0;
  std::size_t duplicated = 0;
  std::size_t dropped = 0;
  for (const std::string& line : first) {
    lost += line.find(" lost") != std::string::npos ? 1 : 0;
    duplicated += line.find(" duplicated") != std::string::npos ? 1 : 0;
    dropped += line.find(" drop ") != std::string::npos ? 1 : 0;
  }
  CHECK(lost > 0);
  CHECK(duplicated > 0);
  CHECK(dropped > 0);
}

TEST_CASE("World: adding a host does not reshuffle other links' draws", "[sim][world][determinism]") {
  // Node 1 sends to node 2 on a fixed period and nobody's behaviour depends on what it receives, so the
  // delivery times on 1->2 depend only on that link's stream.
  auto deliveries_1_to_2 = [](bool with_third_host) {
    LinkOptions network;
    network.latency_distribution = LatencyDistribution::lognormal;
    network.latency_ms_mean = 5.0;
    network.latency_ms_stddev = 3.0;
    network.jitter_ms = 1.0;
    Fixture fixture(network, 9);
    fixture.behavior.on_start = [](TestNode& node) {
      node.env.start_timer(ms_to_us(1), Timer{TimerKind::heartbeat, 0});
    };
    fixture.behavior.on_timer = [](TestNode& node, const Timer& timer) {
      if (node.env.self() == 1) node.env.send(2, Heartbeat{timer.key});
      if (node.env.self() == 3) {
        node.env.send(1, Heartbeat{timer.key});
        node.env.send(2, Heartbeat{timer.key});
      }
      node.env.start_timer(ms_to_us(1), Timer{TimerKind::heartbeat, timer.key + 1});
    };
    if (with_third_host) fixture.add(3);
    fixture.add(1);
    fixture.add(2);
    fixture.world.run_until(ms_to_us(200));
    std::vector<std::string> result;
    for (const std::string& line : fixture.observer.lines) {
      if (line.find("deliver 1->2") != std::string::npos) result.push_back(line);
    }
    return result;
  };
  const std::vector<std::string> alone = deliveries_1_to_2(false);
  REQUIRE(alone.size() > 100);
  CHECK(alone == deliveries_1_to_2(true));
}

}  // namespace
}  // namespace edgecache::sim
