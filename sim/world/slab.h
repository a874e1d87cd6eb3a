#pragma once
// A slab: a vector of values addressed by stable 32-bit slot numbers, with a free list so slots are reused.
// The event queue stores slot numbers instead of the payloads themselves, and reuse keeps the memory a long
// run touches small and warm. The free list is LIFO, which is deterministic like everything else here.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/assert.h"

namespace edgecache::sim {

template <typename T>
class Slab {
 public:
  // Stores `value` and returns its slot.
  std::uint32_t add(T value) {
    if (!free_slots_.empty()) {
      const std::uint32_t slot = free_slots_.back();
      free_slots_.pop_back();
      items_[slot] = std::move(value);
      return slot;
    }
    EC_ASSERT(items_.size() < std::numeric_limits<std::uint32_t>::max(), "slab is full");
    items_.push_back(std::move(value));
    return static_cast<std::uint32_t>(items_.size() - 1);
  }

  // Returns the value in an occupied slot. The reference dies at the next add().
  T& operator[](std::uint32_t slot) { return items_[slot]; }
  const T& operator[](std::uint32_t slot) const { return items_[slot]; }

  // Moves the value out of `slot` and frees the slot.
  T take(std::uint32_t slot) {
    T value = std::move(items_[slot]);
    free_slots_.push_back(slot);
    return value;
  }

  // Returns how many slots are occupied.
  std::size_t occupied() const { return items_.size() - free_slots_.size(); }

 private:
  std::vector<T> items_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace edgecache::sim
