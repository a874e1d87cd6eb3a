// Tests for the byte-budget LRU cache. Method: small hand-built scenarios pin down each rule (budget, eviction
// order, recency from get but not from peek, refusal of oversize bodies, refresh, erase, sorted ids); then a
// rapidcheck stateful test runs random sequences of insert, get, peek and erase against a plain model (a list
// of (id, size) in recency order with the same eviction rule) and compares every result and the byte count.

#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <numeric>

#include "core/lru_cache.h"

namespace edgecache {
namespace {

Body body_of_size(std::size_t size, std::uint8_t fill = 0xAB) {
  return make_body(std::vector<std::uint8_t>(size, fill));
}

TEST_CASE("lru cache stores within its budget and evicts least recently used first", "[core][lru_cache]") {
  LruCache cache(100);
  CHECK(cache.insert(1, body_of_size(40)).stored);
  CHECK(cache.insert(2, body_of_size(40)).stored);
  CHECK(cache.bytes_used() == 80);
  CHECK(cache.item_count() == 2);

  // 1 is older than 2, so a 50-byte insert must evict 1 and only 1.
  const LruCache::InsertResult third = cache.insert(3, body_of_size(50));
  CHECK(third.stored);
  CHECK(third.evicted == std::vector<ImageId>{1});
  CHECK(cache.bytes_used() == 90);
  CHECK_FALSE(cache.contains(1));
  CHECK(cache.contains(2));
  CHECK(cache.contains(3));

  // A body as large as the whole budget fits after evicting everything, oldest first.
  const LruCache::InsertResult whole = cache.insert(4, body_of_size(100));
  CHECK(whole.stored);
  CHECK(whole.evicted == std::vector<ImageId>{2, 3});
  CHECK(cache.bytes_used() == 100);
  CHECK(cache.ids() == std::vector<ImageId>{4});
}

TEST_CASE("lru cache get refreshes recency and peek does not", "[core][lru_cache]") {
  LruCache cache(30);
  const Body one = body_of_size(10, 1);
  cache.insert(1, one);
  cache.insert(2, body_of_size(10, 2));
  cache.insert(3, body_of_size(10, 3));

  CHECK(cache.get(1) == one);       // Now 2 is the least recently used.
  CHECK(cache.peek(2) != nullptr);  // Peeking must not save 2.
  CHECK(cache.insert(4, body_of_size(10)).evicted == std::vector<ImageId>{2});
  CHECK(cache.insert(5, body_of_size(10)).evicted == std::vector<ImageId>{3});
  CHECK(cache.insert(6, body_of_size(10)).evicted == std::vector<ImageId>{1});
  CHECK(cache.get(99) == nullptr);
  CHECK(cache.peek(99) == nullptr);
}

TEST_CASE("lru cache refuses a body larger than its budget and changes nothing", "[core][lru_cache]") {
  LruCache cache(50);
  const Body small = body_of_size(20);
  cache.insert(1, small);
  cache.insert(2, body_of_size(20));
  const LruCache::InsertResult result = cache.insert(3, body_of_size(51));
  CHECK_FALSE(result.stored);
  CHECK(result.evicted.empty());
  CHECK(cache.ids() == std::vector<ImageId>{1, 2});
  CHECK(cache.bytes_used() == 40);

  // Even a too-large copy of an image already cached leaves the old copy in place.
  CHECK_FALSE(cache.insert(1, body_of_size(60)).stored);
  CHECK(cache.peek(1) == small);
  CHECK(cache.bytes_used() == 40);
}

TEST_CASE("lru cache refresh replaces the body, counts bytes once and makes it most recent", "[core][lru_cache]") {
  LruCache cache(100);
  cache.insert(1, body_of_size(30));
  cache.insert(2, body_of_size(30));
  const Body replacement = body_of_size(60, 7);
  // The refreshed image is not reported as evicted; the old copy's 30 bytes are freed first, so 30 + 60 fits.
  const LruCache::InsertResult result = cache.insert(1, replacement);
  CHECK(result.stored);
  CHECK(result.evicted.empty());
  CHECK(cache.bytes_used() == 90);
  CHECK(cache.peek(1) == replacement);
  CHECK(cache.item_count() == 2);
  // 1 is now the most recent, so 2 goes first.
  CHECK(cache.insert(3, body_of_size(20)).evicted == std::vector<ImageId>{2});
}

TEST_CASE("lru cache erase frees bytes and reports presence", "[core][lru_cache]") {
  LruCache cache(100);
  cache.insert(1, body_of_size(30));
  cache.insert(2, body_of_size(40));
  CHECK(cache.erase(1));
  CHECK_FALSE(cache.erase(1));
  CHECK_FALSE(cache.contains(1));
  CHECK(cache.bytes_used() == 40);
  CHECK(cache.item_count() == 1);
  CHECK(cache.get(1) == nullptr);
}

TEST_CASE("lru cache lists ids in ascending order whatever the recency", "[core][lru_cache]") {
  LruCache cache(1000);
  for (const ImageId id : {50, 3, 900, 7, 12}) cache.insert(id, body_of_size(10));
  cache.get(3);
  cache.get(900);
  CHECK(cache.ids() == std::vector<ImageId>{3, 7, 12, 50, 900});
}

TEST_CASE("lru cache stores empty images without using budget", "[core][lru_cache]") {
  LruCache cache(10);
  CHECK(cache.insert(1, body_of_size(10)).stored);
  const LruCache::InsertResult empty = cache.insert(2, body_of_size(0));
  CHECK(empty.stored);
  CHECK(empty.evicted.empty());
  CHECK(cache.item_count() == 2);
  CHECK(cache.bytes_used() == 10);
}

// The model: entries in recency order, most recent last, with the cache's documented rules applied naively.
struct CacheModel {
  std::uint64_t budget_bytes = 0;
  std::vector<std::pair<ImageId, std::size_t>> recency;

  std::uint64_t bytes_used() const {
    return std::accumulate(recency.begin(), recency.end(), std::uint64_t{0},
                           [](std::uint64_t sum, const auto& entry) { return sum + entry.second; });
  }
  auto find(ImageId id) const {
    return std::find_if(recency.begin(), recency.end(), [id](const auto& entry) { return entry.first == id; });
  }
  auto find(ImageId id) {
    return std::find_if(recency.begin(), recency.end(), [id](const auto& entry) { return entry.first == id; });
  }
  // Applies an insert and returns what it should report.
  LruCache::InsertResult insert(ImageId id, std::size_t size) {
    LruCache::InsertResult result;
    if (size > budget_bytes) return result;
    if (const auto found = find(id); found != recency.end()) recency.erase(found);
    while (bytes_used() + size > budget_bytes) {
      result.evicted.push_back(recency.front().first);
      recency.erase(recency.begin());
    }
    recency.emplace_back(id, size);
    result.stored = true;
    return result;
  }
};

using CacheCommand = rc::state::Command<CacheModel, LruCache>;

// Ids come from a small range so that hits, refreshes and erases of present entries are common.
ImageId draw_id() { return *rc::gen::inRange<ImageId>(0, 12); }

// Bodies are filled with a byte derived from (id, size) so a wrong body for an id is detected by content.
std::uint8_t fill_for(ImageId id, std::size_t size) { return static_cast<std::uint8_t>(id * 37 + size); }

struct InsertCommand : CacheCommand {
  ImageId id = draw_id();
  std::size_t size = *rc::gen::inRange<std::size_t>(0, 140);

  void apply(CacheModel& model) const override { model.insert(id, size); }
  void run(const CacheModel& model, LruCache& cache) const override {
    CacheModel copy = model;
    const LruCache::InsertResult expected = copy.insert(id, size);
    const LruCache::InsertResult actual = cache.insert(id, body_of_size(size, fill_for(id, size)));
    RC_ASSERT(actual.stored == expected.stored);
    RC_ASSERT(actual.evicted == expected.evicted);
    RC_ASSERT(cache.bytes_used() == copy.bytes_used());
    RC_ASSERT(cache.bytes_used() <= cache.budget_bytes());
  }
  void show(std::ostream& out) const override { out << "insert(" << id << ", " << size << " bytes)"; }
};

void check_body(const CacheModel& model, ImageId id, const Body& body) {
  const auto found = model.find(id);
  if (found == model.recency.end()) {
    RC_ASSERT(body == nullptr);
    return;
  }
  RC_ASSERT(body != nullptr);
  RC_ASSERT(body->size() == found->second);
  RC_ASSERT(std::all_of(body->bytes().begin(), body->bytes().end(),
                        [&](std::uint8_t byte) { return byte == fill_for(id, found->second); }));
}

struct GetCommand : CacheCommand {
  ImageId id = draw_id();

  void apply(CacheModel& model) const override {
    const auto found = model.find(id);
    if (found != model.recency.end()) std::rotate(found, found + 1, model.recency.end());
  }
  void run(const CacheModel& model, LruCache& cache) const override { check_body(model, id, cache.get(id)); }
  void show(std::ostream& out) const override { out << "get(" << id << ")"; }
};

struct PeekCommand : CacheCommand {
  ImageId id = draw_id();

  void run(const CacheModel& model, LruCache& cache) const override {
    check_body(model, id, cache.peek(id));
    RC_ASSERT(cache.contains(id) == (model.find(id) != model.recency.end()));
  }
  void show(std::ostream& out) const override { out << "peek(" << id << ")"; }
};

struct EraseCommand : CacheCommand {
  ImageId id = draw_id();

  void apply(CacheModel& model) const override {
    if (const auto found = model.find(id); found != model.recency.end()) model.recency.erase(found);
  }
  void run(const CacheModel& model, LruCache& cache) const override {
    RC_ASSERT(cache.erase(id) == (model.find(id) != model.recency.end()));
    RC_ASSERT(cache.bytes_used() == nextState(model).bytes_used());
  }
  void show(std::ostream& out) const override { out << "erase(" << id << ")"; }
};

struct CheckIdsCommand : CacheCommand {
  void run(const CacheModel& model, LruCache& cache) const override {
    std::vector<ImageId> expected;
    for (const auto& entry : model.recency) expected.push_back(entry.first);
    std::sort(expected.begin(), expected.end());
    RC_ASSERT(cache.ids() == expected);
    RC_ASSERT(cache.item_count() == expected.size());
  }
  void show(std::ostream& out) const override { out << "check ids"; }
};

TEST_CASE("lru cache matches a simple model under random operations", "[core][lru_cache]") {
  rc::prop("stateful", [] {
    const auto budget_bytes = *rc::gen::inRange<std::uint64_t>(1, 300);
    CacheModel model;
    model.budget_bytes = budget_bytes;
    LruCache cache(budget_bytes);
    rc::state::check(model, cache,
                     rc::state::gen::execOneOfWithArgs<InsertCommand, GetCommand, PeekCommand, EraseCommand,
                                                       CheckIdsCommand>());
  });
}

}  // namespace
}  // namespace edgecache
