// Tests for sort_ids. Method: it must give exactly what std::sort gives, for lists long enough to take the
// radix path and short enough to take std::sort, with ids drawn so that some byte positions are shared by
// every id (and skipped), some vary, and repeats occur.

#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/sort_ids.h"

namespace edgecache {
namespace {

std::vector<ImageId> sorted_copy(std::vector<ImageId> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_CASE("sort_ids sorts like std::sort", "[core][sort_ids]") {
  rc::prop("random ids", [] {
    const auto count = *rc::gen::inRange<std::size_t>(0, 3000);
    // A random mask decides which bits may vary, so some byte positions are constant across all ids.
    const auto varying_bits = *rc::gen::arbitrary<std::uint64_t>();
    const auto fixed_bits = *rc::gen::arbitrary<std::uint64_t>();
    const auto raw = *rc::gen::container<std::vector<std::uint64_t>>(count, rc::gen::arbitrary<std::uint64_t>());
    std::vector<ImageId> ids;
    ids.reserve(raw.size());
    for (std::uint64_t value : raw) ids.push_back((value & varying_bits) | (fixed_bits & ~varying_bits));
    const std::vector<ImageId> expected = sorted_copy(ids);
    sort_ids(ids);
    RC_ASSERT(ids == expected);
  });
}

TEST_CASE("sort_ids handles ids that differ only in their highest byte", "[core][sort_ids]") {
  std::vector<ImageId> ids;
  for (std::uint64_t i = 0; i < 1000; ++i) ids.push_back(((i * 7919) % 256) << 56 | 42);
  const std::vector<ImageId> expected = sorted_copy(ids);
  sort_ids(ids);
  CHECK(ids == expected);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
}

TEST_CASE("sort_ids keeps a list of equal ids and sorts small catalog ids", "[core][sort_ids]") {
  std::vector<ImageId> same(500, 1234567);
  sort_ids(same);
  CHECK(same == std::vector<ImageId>(500, 1234567));
  std::vector<ImageId> small;
  for (std::uint64_t i = 0; i < 2000; ++i) small.push_back((i * 104729) % 10000);
  const std::vector<ImageId> expected = sorted_copy(small);
  sort_ids(small);
  CHECK(small == expected);
}

}  // namespace
}  // namespace edgecache
