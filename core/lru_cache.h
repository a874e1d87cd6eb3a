#pragma once
// A byte-budget LRU cache of image bodies. The sum of cached body sizes never exceeds the budget: inserting
// evicts least recently used entries until the new one fits, and an image larger than the whole budget is
// not cached at all.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/id_map.h"
#include "core/image_bytes.h"
#include "core/types.h"

namespace edgecache {

class LruCache {
 public:
  // REQUIRES: budget_bytes > 0.
  explicit LruCache(std::uint64_t budget_bytes);

  // Returns the body and marks it most recently used, or nullptr on a miss.
  Body get(ImageId id);

  // Returns the body without changing recency, or nullptr on a miss.
  Body peek(ImageId id) const;

  bool contains(ImageId id) const { return index_.contains(id); }

  // Inserts or refreshes `id`, evicting least recently used entries as needed. Returns the ids evicted, in
  // eviction order. Returns false in `stored` if the body is larger than the budget (nothing changes then).
  struct InsertResult {
    bool stored = false;
    std::vector<ImageId> evicted;
  };
  InsertResult insert(ImageId id, Body body);

  // Removes `id` if present; returns whether it was.
  bool erase(ImageId id);

  std::uint64_t bytes_used() const { return bytes_used_; }
  std::uint64_t budget_bytes() const { return budget_bytes_; }
  std::size_t item_count() const { return index_.size(); }

  // Returns the cached ids in ascending order (never in recency or hash order, so it is safe for output).
  std::vector<ImageId> ids() const;

 private:
  // The recency list is intrusive and lives in one vector, linked by indices: no allocation per entry, and
  // neighbours that are near in memory, which matters since every hit moves an entry to the front.
  static constexpr std::uint32_t none = 0xFFFFFFFFU;
  struct Entry {
    ImageId id = 0;
    Body body;  // Null while the slot is free.
    std::uint32_t newer = none;
    std::uint32_t older = none;
  };
  void unlink(std::uint32_t slot);
  void link_newest(std::uint32_t slot);

  std::uint64_t budget_bytes_;
  std::uint64_t bytes_used_ = 0;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t newest_ = none;
  std::uint32_t oldest_ = none;
  IdMap<std::uint32_t> index_;  // Slot by image id.
};

}  // namespace edgecache
