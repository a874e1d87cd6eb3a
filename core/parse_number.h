#pragma once
// Reading numbers that people and files write: one parser on std::from_chars for every flag, file name,
// trace field and header value, so "what counts as a number" is decided once. Each caller words its own
// error; these only say whether the text is a number.

#include <cstdint>
#include <optional>
#include <string_view>

namespace edgecache {

// Returns the value of `text` if it is, as a whole, a decimal number below 2^64: digits only, no sign, no
// spaces, no "+". Leading zeros are allowed.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

// parse_decimal, and the value within [min, max].
std::optional<std::uint64_t> parse_decimal_in(std::string_view text, std::uint64_t min, std::uint64_t max);

// Returns the value of `text` if it is, as a whole, 1 to 16 hex digits of either case (no "0x").
std::optional<std::uint64_t> parse_hex64(std::string_view text);

}  // namespace edgecache
