#pragma once
// The simulator's event queue: a binary min-heap of small fixed-size entries ordered by (time, sequence
// number). The sequence number comes from one counter that increases on every push, so two events due at
// the same time run in the order they were scheduled and the order never depends on addresses or on the
// heap's internal layout. Payloads (messages, timers, actions) live in slabs owned by the world; an entry
// only names its payload's slot, which keeps sift operations cheap.
//
// Entries of one kind, chosen by the owner (the world's timers), can be removed before they come due. Most
// timers are cancelled (a client's deadline, an origin fetch's timeout), and leaving them in the heap until
// they expire made it tens of times larger than the events that will really run, and every sift slower.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/types.h"

namespace edgecache::sim {

struct QueueEntry {
  TimeUs time_us = 0;
  std::uint64_t sequence = 0;
  std::uint32_t slot = 0;  // Index of the payload in the slab that `kind` names.
  std::uint8_t kind = 0;   // Interpreted by the owner of the queue.
};

class EventQueue {
 public:
  // Entries of `removable_kind` can be removed by slot; their slots must be unique among queued entries of
  // that kind.
  explicit EventQueue(std::uint8_t removable_kind) : removable_kind_(removable_kind) {}

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // Returns the entry that runs next. REQUIRES: !empty().
  const QueueEntry& top() const {
    EC_ASSERT(!heap_.empty(), "top() of an empty event queue");
    return heap_.front();
  }
  // Returns the sequence number the next push will receive.
  std::uint64_t next_sequence() const { return next_sequence_; }

  // Adds an event and returns the sequence number it received.
  std::uint64_t push(TimeUs time_us, std::uint8_t kind, std::uint32_t slot) {
    const QueueEntry entry{time_us, next_sequence_++, slot, kind};
    if (kind == removable_kind_ && positions_.size() <= slot) positions_.resize(slot + std::size_t{1}, not_queued);
    heap_.push_back(entry);
    sift_up(heap_.size() - 1, entry);
    return entry.sequence;
  }

  // Removes and returns the earliest entry. REQUIRES: !empty().
  QueueEntry pop() {
    EC_ASSERT(!heap_.empty(), "pop() of an empty event queue");
    const QueueEntry earliest = heap_.front();
    forget(earliest);
    const QueueEntry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0, last);
    return earliest;
  }

  // Removes the queued entry of the removable kind with this slot; returns false if there is none.
  bool remove(std::uint32_t slot) {
    if (slot >= positions_.size() || positions_[slot] == not_queued) return false;
    const std::size_t hole = positions_[slot];
    forget(heap_[hole]);
    const QueueEntry last = heap_.back();
    heap_.pop_back();
    if (hole == heap_.size()) return true;  // It was the last entry.
    // The last entry fills the hole and moves whichever way restores the heap.
    if (hole > 0 && before(last, heap_[(hole - 1) / 2])) {
      sift_up(hole, last);
    } else {
      sift_down(hole, last);
    }
    return true;
  }

 private:
  static constexpr std::uint32_t not_queued = std::numeric_limits<std::uint32_t>::max();

  static bool before(const QueueEntry& a, const QueueEntry& b) {
    return a.time_us < b.time_us || (a.time_us == b.time_us && a.sequence < b.sequence);
  }

  void place(std::size_t index, const QueueEntry& entry) {
    heap_[index] = entry;
    if (entry.kind == removable_kind_) positions_[entry.slot] = static_cast<std::uint32_t>(index);
  }
  void forget(const QueueEntry& entry) {
    if (entry.kind == removable_kind_) positions_[entry.slot] = not_queued;
  }

  // Both sifts move a hole rather than swapping, so each level costs one copy instead of three.
  void sift_up(std::size_t hole, const QueueEntry& entry) {
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 2;
      if (!before(entry, heap_[parent])) break;
      place(hole, heap_[parent]);
      hole = parent;
    }
    place(hole, entry);
  }

  void sift_down(std::size_t hole, const QueueEntry& entry) {
    const std::size_t count = heap_.size();
    for (;;) {
      std::size_t child = 2 * hole + 1;
      if (child >= count) break;
      if (child + 1 < count && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], entry)) break;
      place(hole, heap_[child]);
      hole = child;
    }
    place(hole, entry);
  }

  std::vector<QueueEntry> heap_;
  std::uint64_t next_sequence_ = 0;
  const std::uint8_t removable_kind_;
  std::vector<std::uint32_t> positions_;  // Heap index by slot for the removable kind; not_queued if absent.
};

}  // namespace edgecache::sim
