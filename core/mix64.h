#pragma once
// The splitmix64 finalizer: a cheap bijective mix whose output bits all depend on every input bit. Written
// out rather than taken from std::hash, which may differ between standard libraries, because what it feeds
// (routing, synthetic images, hash-table homes, trace hashes) must be the same on every host.

#include <cstdint>

namespace edgecache {

constexpr std::uint64_t mix64(std::uint64_t value) {
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

}  // namespace edgecache
