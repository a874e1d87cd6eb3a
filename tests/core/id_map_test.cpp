// Tests for IdMap. Method: a long random sequence of insertions, lookups and removals is applied to an IdMap
// and to std::map side by side and the two must agree after every step; keys are drawn from a small range so
// that collisions, probe runs that wrap around the table, growth and backward-shift deletion all happen.

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>

#include "core/id_map.h"

namespace edgecache {
namespace {

// Returns a copy of the value stored under `key`, so that checks never dereference a pointer themselves.
template <typename Value>
std::optional<Value> lookup(const IdMap<Value>& map, std::uint64_t key) {
  const Value* value = map.find(key);
  return value == nullptr ? std::nullopt : std::optional<Value>(*value);
}

TEST_CASE("id map finds what was inserted and nothing else", "[core][id_map]") {
  IdMap<std::string> map;
  CHECK(map.empty());
  CHECK(map.find(7) == nullptr);
  CHECK(map.try_emplace(7, "seven").second);
  CHECK_FALSE(map.try_emplace(7, "other").second);
  CHECK(lookup(map, 7) == std::optional<std::string>("seven"));
  map[8] = "eight";
  CHECK(map.size() == 2);
  CHECK(map.take(7) == std::optional<std::string>("seven"));
  CHECK_FALSE(map.contains(7));
  CHECK_FALSE(map.erase(7));
  CHECK(map.contains(8));
  map.clear();
  CHECK(map.empty());
  CHECK(map.find(8) == nullptr);
}

TEST_CASE("id map agrees with std::map under random operations", "[core][id_map]") {
  IdMap<std::uint64_t> map;
  std::map<std::uint64_t, std::uint64_t> model;
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int step = 0; step < 200000; ++step) {
    const std::uint64_t key = next() % 300;
    switch (next() % 4) {
      case 0:
      case 1: {
        const std::uint64_t value = next();
        const bool inserted = map.try_emplace(key, value).second;
        CHECK(inserted == model.emplace(key, value).second);
        break;
      }
      case 2: {
        const std::optional<std::uint64_t> taken = map.take(key);
        const auto found = model.find(key);
        REQUIRE(taken.has_value() == (found != model.end()));
        if (taken) {
          CHECK(*taken == found->second);
          model.erase(found);
        }
        break;
      }
      default: {
        const std::optional<std::uint64_t> value = lookup(map, key);
        const auto found = model.find(key);
        REQUIRE(value.has_value() == (found != model.end()));
        if (value) CHECK(*value == found->second);
      }
    }
    REQUIRE(map.size() == model.size());
  }
  for (const auto& [key, value] : model) {
    CHECK(lookup(map, key) == std::optional<std::uint64_t>(value));
  }
}

}  // namespace
}  // namespace edgecache
