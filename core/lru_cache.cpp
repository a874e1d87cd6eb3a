#include "core/lru_cache.h"

#include <algorithm>

#include "core/assert.h"
#include "core/sort_ids.h"

namespace edgecache {

LruCache::LruCache(std::uint64_t budget_bytes) : budget_bytes_(budget_bytes) {
  EC_ASSERT(budget_bytes > 0, "an LRU cache needs a positive byte budget");
}

Body LruCache::get(ImageId id) {
  const std::uint32_t* found = index_.find(id);
  if (found == nullptr) return nullptr;
  if (*found != newest_) {
    unlink(*found);
    link_newest(*found);
  }
  return entries_[*found].body;
}

Body LruCache::peek(ImageId id) const {
  const std::uint32_t* found = index_.find(id);
  if (found == nullptr) return nullptr;
  return entries_[*found].body;
}

LruCache::InsertResult LruCache::insert(ImageId id, Body body) {
  EC_ASSERT(body != nullptr, "LruCache::insert needs a body");
  InsertResult result;
  // An image that could never fit is refused before anything is touched, so a too-large copy neither evicts
  // other images nor displaces an older copy of itself.
  if (body->size() > budget_bytes_) return result;

  // A refresh first drops the old copy, so its bytes count as free and it is not reported as evicted.
  erase(id);
  while (bytes_used_ + body->size() > budget_bytes_) {
    EC_ASSERT(oldest_ != none, "cache bytes are in use but no entry holds them");
    const ImageId victim = entries_[oldest_].id;
    result.evicted.push_back(victim);
    erase(victim);
  }
  bytes_used_ += body->size();
  std::uint32_t slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    EC_ASSERT(entries_.size() < none, "too many cache entries");
    slot = static_cast<std::uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  entries_[slot].id = id;
  entries_[slot].body = std::move(body);
  link_newest(slot);
  index_.try_emplace(id, slot);
  result.stored = true;
  return result;
}

bool LruCache::erase(ImageId id) {
  const std::optional<std::uint32_t> found = index_.take(id);
  if (!found) return false;
  Entry& entry = entries_[*found];
  bytes_used_ -= entry.body->size();
  unlink(*found);
  entry.body.reset();
  free_slots_.push_back(*found);
  return true;
}

std::vector<ImageId> LruCache::ids() const {
  std::vector<ImageId> result;
  result.reserve(index_.size());
  for (const Entry& entry : entries_) {
    if (entry.body) result.push_back(entry.id);
  }
  sort_ids(result);
  return result;
}

void LruCache::unlink(std::uint32_t slot) {
  Entry& entry = entries_[slot];
  if (entry.newer != none) entries_[entry.newer].older = entry.older;
  else newest_ = entry.older;
  if (entry.older != none) entries_[entry.older].newer = entry.newer;
  else oldest_ = entry.newer;
  entry.newer = none;
  entry.older = none;
}

void LruCache::link_newest(std::uint32_t slot) {
  Entry& entry = entries_[slot];
  entry.newer = none;
  entry.older = newest_;
  if (newest_ != none) entries_[newest_].newer = slot;
  newest_ = slot;
  if (oldest_ == none) oldest_ = slot;
}

}  // namespace edgecache
