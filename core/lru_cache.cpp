#include "core/lru_cache.h"

#include <algorithm>

#include "core/assert.h"

namespace edgecache {

LruCache::LruCache(std::uint64_t budget_bytes) : budget_bytes_(budget_bytes) {
  EC_ASSERT(budget_bytes > 0, "an LRU cache needs a positive byte budget");
}

Body LruCache::get(ImageId id) {
  const Recency::iterator* found = index_.find(id);
  if (found == nullptr) return nullptr;
  // Splicing moves the node to the front without invalidating the iterator the index holds.
  recency_.splice(recency_.begin(), recency_, *found);
  return (*found)->body;
}

Body LruCache::peek(ImageId id) const {
  const Recency::iterator* found = index_.find(id);
  if (found == nullptr) return nullptr;
  return (*found)->body;
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
    EC_ASSERT(!recency_.empty(), "cache bytes are in use but no entry holds them");
    const Entry& victim = recency_.back();
    result.evicted.push_back(victim.id);
    bytes_used_ -= victim.body->size();
    index_.erase(victim.id);
    recency_.pop_back();
  }
  bytes_used_ += body->size();
  recency_.push_front(Entry{id, std::move(body)});
  index_.try_emplace(id, recency_.begin());
  result.stored = true;
  return result;
}

bool LruCache::erase(ImageId id) {
  const std::optional<Recency::iterator> found = index_.take(id);
  if (!found) return false;
  bytes_used_ -= (*found)->body->size();
  recency_.erase(*found);
  return true;
}

std::vector<ImageId> LruCache::ids() const {
  std::vector<ImageId> result;
  result.reserve(index_.size());
  for (const Entry& entry : recency_) result.push_back(entry.id);
  std::ranges::sort(result);
  return result;
}

}  // namespace edgecache
