#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include "core/base64.h"

namespace edgecache {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

TEST_CASE("base64 matches the RFC 4648 test vectors", "[base64]") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(bytes_of(plain)) == encoded);
    CHECK(base64_decode(encoded) == bytes_of(plain));
  }
}

TEST_CASE("base64 rejects what is not padded base64", "[base64]") {
  for (std::string_view bad : {"Zg=", "Zg", "Z===", "Zm9v!mFy", "Zg==Zm8=", "=Zm8", "Zm=v"}) {
    INFO(bad);
    CHECK_FALSE(base64_decode(bad).has_value());
  }
}

TEST_CASE("base64 decodes what it encodes", "[base64]") {
  rc::prop("round trip", [](const std::vector<std::uint8_t>& bytes) {
    RC_ASSERT(base64_decode(base64_encode(bytes)) == bytes);
  });
}

}  // namespace
}  // namespace edgecache
