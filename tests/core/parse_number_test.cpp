// The one number parser (core/parse_number.h). Method: a table of texts at and around each edge of what
// counts as a number (empty, signs, spaces, the top of the type, hex case and length), each with the value it
// must read as or nothing.

#include <catch2/catch.hpp>

#include "core/parse_number.h"

namespace edgecache {
namespace {

TEST_CASE("parse_decimal reads whole decimal numbers below 2^64 and nothing else", "[parse_number]") {
  CHECK(parse_decimal("0") == 0u);
  CHECK(parse_decimal("007") == 7u);
  CHECK(parse_decimal("18446744073709551615") == UINT64_MAX);
  for (const char* text : {"", "18446744073709551616", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0"}) {
    INFO(text);
    CHECK_FALSE(parse_decimal(text).has_value());
  }
}

TEST_CASE("parse_decimal_in keeps the bounds inclusive", "[parse_number]") {
  CHECK(parse_decimal_in("1", 1, 10) == 1u);
  CHECK(parse_decimal_in("10", 1, 10) == 10u);
  CHECK_FALSE(parse_decimal_in("0", 1, 10).has_value());
  CHECK_FALSE(parse_decimal_in("11", 1, 10).has_value());
  CHECK_FALSE(parse_decimal_in("x", 1, 10).has_value());
}

TEST_CASE("parse_hex64 reads 1 to 16 hex digits of either case", "[parse_number]") {
  CHECK(parse_hex64("0") == 0u);
  CHECK(parse_hex64("ffffffffffffffff") == UINT64_MAX);
  CHECK(parse_hex64("00000000000000Ab") == 0xABu);
  for (const char* text : {"", "0ffffffffffffffff", "0x1", "g", "-1", "1 "}) {
    INFO(text);
    CHECK_FALSE(parse_hex64(text).has_value());
  }
}

}  // namespace
}  // namespace edgecache
