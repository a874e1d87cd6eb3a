#pragma once
// A hash map from 64-bit ids (image ids, request ids) to values, for the tables a node looks up on every
// request and never walks. It deliberately has no iteration: a hash order then cannot reach behaviour or
// output, which is why core/ uses it where it wants a hash table (tests/tidy_test.cpp bans the standard
// unordered containers from core/). Open addressing with linear probing keeps lookups to one or two cache
// lines, which is what the simulator's speed depends on.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/mix64.h"

namespace edgecache {

template <typename Value>
class IdMap {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool contains(std::uint64_t key) const { return find_slot(key) != npos; }

  // Returns the value stored for `key`, or nullptr. The pointer is valid until the next insertion or erasure.
  Value* find(std::uint64_t key) {
    const std::size_t slot = find_slot(key);
    return slot == npos ? nullptr : &slots_[slot].value;
  }
  const Value* find(std::uint64_t key) const {
    const std::size_t slot = find_slot(key);
    return slot == npos ? nullptr : &slots_[slot].value;
  }

  // Returns the value for `key`, inserting a default-constructed one first if there is none. The reference
  // is valid until the next insertion or erasure.
  Value& operator[](std::uint64_t key) { return *try_emplace(key).first; }

  // Inserts `value` under `key` unless the key is present. Returns the stored value and whether it was
  // inserted.
  std::pair<Value*, bool> try_emplace(std::uint64_t key, Value value = Value{}) {
    if (const std::size_t slot = find_slot(key); slot != npos) return {&slots_[slot].value, false};
    if ((size_ + 1) * 2 > slots_.size()) grow();
    std::size_t slot = home(key);
    while (slots_[slot].used) slot = next(slot);
    slots_[slot] = Slot{key, std::move(value), true};
    ++size_;
    return {&slots_[slot].value, true};
  }

  // Removes `key` and returns its value, or nothing if it was absent.
  std::optional<Value> take(std::uint64_t key) {
    std::size_t hole = find_slot(key);
    if (hole == npos) return std::nullopt;
    std::optional<Value> taken(std::move(slots_[hole].value));
    // Backward-shift deletion: later entries of the same probe run move up into the hole, so lookups never
    // need tombstones and the table never degrades.
    for (std::size_t probe = next(hole); slots_[probe].used; probe = next(probe)) {
      const std::size_t wanted = home(slots_[probe].key);
      // The entry at `probe` may fill the hole only if its home is not cyclically within (hole, probe].
      const bool home_after_hole = hole <= probe ? (wanted > hole && wanted <= probe) : (wanted > hole || wanted <= probe);
      if (home_after_hole) continue;
      slots_[hole] = std::move(slots_[probe]);
      hole = probe;
    }
    slots_[hole] = Slot{};
    --size_;
    return taken;
  }

  // Removes `key`; returns whether it was present.
  bool erase(std::uint64_t key) { return take(key).has_value(); }

  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    Value value{};
    bool used = false;
  };
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::size_t initial_slots = 16;

  // Mixed first, so that sequential ids spread over the table.
  std::size_t home(std::uint64_t key) const { return static_cast<std::size_t>(mix64(key)) & (slots_.size() - 1); }
  std::size_t next(std::size_t slot) const { return (slot + 1) & (slots_.size() - 1); }

  std::size_t find_slot(std::uint64_t key) const {
    // An empty map answers without hashing: several of an edge's tables (pulls in flight, queued pulls) are
    // empty most of the time and are asked about for every image of every anti-entropy round.
    if (size_ == 0) return npos;
    for (std::size_t slot = home(key); slots_[slot].used; slot = next(slot)) {
      if (slots_[slot].key == key) return slot;
    }
    return npos;
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_ = std::vector<Slot>(old.empty() ? initial_slots : old.size() * 2);
    EC_ASSERT((slots_.size() & (slots_.size() - 1)) == 0, "IdMap capacity must be a power of two");
    for (Slot& entry : old) {
      if (!entry.used) continue;
      std::size_t slot = home(entry.key);
      while (slots_[slot].used) slot = next(slot);
      slots_[slot] = std::move(entry);
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace edgecache
