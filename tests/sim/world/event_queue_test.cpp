// Tests for the event queue and the slab. The queue is checked against the definition of its order: many
// entries pushed in a scrambled order must come out sorted by (time, sequence), and entries due at the same
// time must come out in the order they were pushed.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/world/event_queue.h"
#include "sim/world/random.h"
#include "sim/world/slab.h"

namespace edgecache::sim {
namespace {

constexpr std::uint8_t removable = 7;

TEST_CASE("EventQueue: pops by time, then by push order", "[sim][event_queue]") {
  EventQueue queue{removable};
  Rng rng(3);
  for (std::uint32_t i = 0; i < 5000; ++i) {
    queue.push(static_cast<TimeUs>(rng.below(100)), static_cast<std::uint8_t>(i % 5), i);
  }
  REQUIRE(queue.size() == 5000);
  QueueEntry previous = queue.pop();
  while (!queue.empty()) {
    const QueueEntry next = queue.pop();
    REQUIRE((previous.time_us < next.time_us ||
             (previous.time_us == next.time_us && previous.sequence < next.sequence)));
    // The slot was the push index, and so is the sequence number.
    REQUIRE(next.slot == next.sequence);
    previous = next;
  }
}

TEST_CASE("EventQueue: ties run in schedule order even when pushed between pops", "[sim][event_queue]") {
  EventQueue queue{removable};
  queue.push(10, 0, 1);
  queue.push(5, 0, 2);
  queue.push(10, 0, 3);
  CHECK(queue.pop().slot == 2);
  queue.push(10, 0, 4);
  CHECK(queue.pop().slot == 1);
  CHECK(queue.pop().slot == 3);
  CHECK(queue.pop().slot == 4);
  CHECK(queue.empty());
  CHECK(queue.next_sequence() == 4);
}

TEST_CASE("EventQueue: removed entries never pop and the rest keep their order", "[sim][event_queue]") {
  EventQueue queue{removable};
  Rng rng(11);
  // Even slots are removable entries, odd ones another kind; the model is the set of entries still queued.
  std::vector<QueueEntry> model;
  for (std::uint32_t slot = 0; slot < 4000; ++slot) {
    const auto kind = static_cast<std::uint8_t>(slot % 2 == 0 ? removable : 1);
    const TimeUs time = static_cast<TimeUs>(rng.below(300));
    const std::uint64_t sequence = queue.push(time, kind, slot);
    model.push_back(QueueEntry{time, sequence, slot, kind});
  }
  std::vector<QueueEntry> kept;
  for (const QueueEntry& entry : model) {
    if (entry.kind == removable && rng.chance(0.6)) {
      REQUIRE(queue.remove(entry.slot));
      REQUIRE_FALSE(queue.remove(entry.slot));  // Gone already.
    } else {
      kept.push_back(entry);
    }
  }
  REQUIRE_FALSE(queue.remove(1));  // Not of the removable kind.
  std::sort(kept.begin(), kept.end(), [](const QueueEntry& a, const QueueEntry& b) {
    return a.time_us < b.time_us || (a.time_us == b.time_us && a.sequence < b.sequence);
  });
  REQUIRE(queue.size() == kept.size());
  for (const QueueEntry& expected : kept) {
    const QueueEntry popped = queue.pop();
    REQUIRE(popped.sequence == expected.sequence);
    REQUIRE(popped.slot == expected.slot);
  }
  CHECK(queue.empty());
  // A popped removable entry can no longer be removed, and its slot can be queued again.
  queue.push(5, removable, 0);
  CHECK(queue.pop().slot == 0);
  CHECK_FALSE(queue.remove(0));
  queue.push(6, removable, 0);
  CHECK(queue.remove(0));
  CHECK(queue.empty());
}

TEST_CASE("Slab: reuses freed slots and keeps values", "[sim][slab]") {
  Slab<std::string> slab;
  const std::uint32_t a = slab.add("a");
  const std::uint32_t b = slab.add("b");
  CHECK(a != b);
  CHECK(slab[b] == "b");
  CHECK(slab.take(a) == "a");
  CHECK(slab.occupied() == 1);
  CHECK(slab.add("c") == a);
  CHECK(slab[a] == "c");
  CHECK(slab.occupied() == 2);
}

}  // namespace
}  // namespace edgecache::sim
