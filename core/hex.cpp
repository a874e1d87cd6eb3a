#include "core/hex.h"

namespace edgecache {

std::string hex64(std::uint64_t value) {
  constexpr char digits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i) {
    text[static_cast<std::size_t>(i)] = digits[value & 0xF];
    value >>= 4;
  }
  return text;
}

}  // namespace edgecache
