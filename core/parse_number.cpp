#include "core/parse_number.h"

#include <charconv>

namespace edgecache {

namespace {

std::optional<std::uint64_t> parse_whole(std::string_view text, int base) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::uint64_t> parse_decimal(std::string_view text) { return parse_whole(text, 10); }

std::optional<std::uint64_t> parse_decimal_in(std::string_view text, std::uint64_t min, std::uint64_t max) {
  const std::optional<std::uint64_t> value = parse_decimal(text);
  if (!value || *value < min || *value > max) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_hex64(std::string_view text) {
  if (text.size() > 16) return std::nullopt;
  return parse_whole(text, 16);
}

}  // namespace edgecache
