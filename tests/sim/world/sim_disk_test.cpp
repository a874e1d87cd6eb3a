// The simulated disk (sim/world/sim_disk.h): a one-host world whose node does nothing, and a test that
// writes through the disk's Storage and runs the world to exact times. Each fault is shown doing what its
// name says, and a crash is shown losing what was not durable.

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "sim/world/sim_disk.h"

namespace edgecache::sim {
namespace {

class IdleNode final : public Node {
 public:
  void on_start() override {}
  void on_message(NodeId, const Message&) override {}
  void on_timer(const Timer&) override {}
};

constexpr NodeId host_id = 1;
constexpr TimeUs latency_us = 1000;

Body body_of(std::size_t size, std::uint8_t fill) { return make_body(std::vector<std::uint8_t>(size, fill)); }

struct DiskBench {
  DiskBench() : world(1, LinkOptions{}), disk(world, host_id, latency_us) {
    world.add_host(host_id, "edge-1", [](Env&) { return std::make_unique<IdleNode>(); });
    world.run_until(0);
  }
  // Writes `name` and records the outcome, with its time, in `outcomes`.
  void write(Storage& storage, const std::string& name, Body body) {
    storage.write(name, std::move(body), [this, name](StorageError error) {
      outcomes.push_back(name + " " + storage_error_name(error) + " @" + std::to_string(world.now()));
    });
  }

  World world;
  SimDisk disk;
  std::vector<std::string> outcomes;
};

TEST_CASE("sim disk: writes land one after another, each after the write latency", "[sim][world][sim_disk]") {
  DiskBench bench;
  Storage& storage = bench.disk.attach();
  bench.write(storage, "a", body_of(10, 1));
  bench.write(storage, "b", body_of(10, 2));
  storage.remove("a");  // Queued behind both writes, so it removes what the first one wrote.
  bench.world.run_until(1000);
  CHECK(bench.outcomes == std::vector<std::string>{"a none @1000"});
  bench.world.run_until(5000);
  CHECK(bench.outcomes == std::vector<std::string>{"a none @1000", "b none @2000"});
  REQUIRE(storage.list().size() == 1);
  CHECK(storage.list()[0].name == "b");
  CHECK(storage.read("b").body->checksum() == body_of(10, 2)->checksum());
  CHECK(storage.read("a").error == "no such file");
}

TEST_CASE("sim disk: slow, full and repair", "[sim][world][sim_disk]") {
  DiskBench bench;
  Storage& storage = bench.disk.attach();
  bench.disk.slow(50'000);
  bench.write(storage, "a", body_of(10, 1));
  bench.world.run_until(100'000);
  bench.disk.fill();
  bench.write(storage, "b", body_of(10, 2));
  bench.world.run_until(200'000);
  bench.disk.repair();
  bench.write(storage, "c", body_of(10, 3));
  bench.world.run_until(300'000);
  CHECK(bench.outcomes ==
        std::vector<std::string>{"a none @50000", "b no_space @150000", "c none @201000"});
  CHECK(storage.list().size() == 2);
  CHECK(bench.disk.counters().failed_writes == 1);
}

TEST_CASE("sim disk: a crash loses queued writes and, on a lying disk, acknowledged ones", "[sim][world][sim_disk]") {
  DiskBench bench;
  Storage& first_life = bench.disk.attach();
  bench.write(first_life, "durable", body_of(10, 1));
  bench.world.run_until(10'000);
  bench.disk.lose();
  bench.write(first_life, "cached", body_of(10, 2));
  bench.world.run_until(20'000);
  bench.write(first_life, "queued", body_of(10, 3));
  CHECK(bench.outcomes.size() == 2);  // "cached" was acknowledged.
  bench.world.crash(host_id);
  bench.world.restart(host_id);
  Storage& second_life = bench.disk.attach();
  bench.world.run_until(50'000);
  CHECK(bench.outcomes.size() == 2);  // "queued" never completed, and never will.
  REQUIRE(second_life.list().size() == 1);
  CHECK(second_life.list()[0].name == "durable");
  CHECK(bench.disk.counters().lost_writes == 2);
}

TEST_CASE("sim disk: a torn write lands half and says it landed; a flip changes one bit", "[sim][world][sim_disk]") {
  DiskBench bench;
  Storage& storage = bench.disk.attach();
  bench.disk.tear();
  bench.write(storage, "torn", body_of(100, 1));
  bench.write(storage, "whole", body_of(100, 2));
  bench.world.run_until(10'000);
  CHECK(bench.outcomes == std::vector<std::string>{"torn none @1000", "whole none @2000"});
  CHECK(storage.read("torn").body->size() == 50);
  CHECK(storage.read("whole").body->size() == 100);

  Rng rng(7);
  const Body before = storage.read("whole").body;
  std::string flipped = bench.disk.flip(rng);
  while (flipped != "whole") flipped = bench.disk.flip(rng);
  const Body after = storage.read("whole").body;
  REQUIRE(after->size() == before->size());
  int bits = 0;
  for (std::size_t i = 0; i < after->size(); ++i) {
    bits += __builtin_popcount(static_cast<unsigned>(after->bytes()[i] ^ before->bytes()[i]));
  }
  CHECK(bits == 1);
  CHECK(after->checksum() != before->checksum());
}

TEST_CASE("sim disk: an empty disk has nothing to flip", "[sim][world][sim_disk]") {
  DiskBench bench;
  bench.disk.attach();
  Rng rng(1);
  CHECK(bench.disk.flip(rng).empty());
  CHECK(bench.disk.counters().flipped_bits == 0);
}

}  // namespace
}  // namespace edgecache::sim
