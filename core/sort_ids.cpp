#include "core/sort_ids.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace edgecache {

namespace {
// Below this many ids the histograms and the second buffer cost more than they save.
constexpr std::size_t radix_sort_min_ids = 256;
constexpr std::size_t digit_bytes = sizeof(ImageId);
constexpr std::size_t digit_values = 256;
}  // namespace

void sort_ids(std::vector<ImageId>& ids) {
  if (ids.size() < radix_sort_min_ids) {
    std::sort(ids.begin(), ids.end());
    return;
  }
  // One pass counts every byte position, so a position where all ids share their byte is skipped.
  std::array<std::array<std::size_t, digit_values>, digit_bytes> counts{};
  for (const ImageId id : ids) {
    for (std::size_t digit = 0; digit < digit_bytes; ++digit) ++counts[digit][(id >> (8 * digit)) & 0xFF];
  }
  std::vector<ImageId> buffer(ids.size());
  for (std::size_t digit = 0; digit < digit_bytes; ++digit) {
    std::array<std::size_t, digit_values>& count = counts[digit];
    const ImageId shared_byte = (ids.front() >> (8 * digit)) & 0xFF;
    if (count[shared_byte] == ids.size()) continue;
    // Counts become starting offsets; each pass is stable, so earlier (lower) bytes keep their order.
    std::size_t offset = 0;
    for (std::size_t& slot : count) {
      const std::size_t here = slot;
      slot = offset;
      offset += here;
    }
    for (const ImageId id : ids) buffer[count[(id >> (8 * digit)) & 0xFF]++] = id;
    ids.swap(buffer);
  }
}

}  // namespace edgecache
