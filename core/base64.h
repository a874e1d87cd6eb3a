#pragma once
// Base64 (RFC 4648, with padding), for carrying encoded messages inside JSON trace lines.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgecache {

std::string base64_encode(std::span<const std::uint8_t> bytes);

// Returns the bytes `text` encodes, or nothing if it is not padded base64 (a wrong length, a character
// outside the alphabet, padding anywhere but the end).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace edgecache
