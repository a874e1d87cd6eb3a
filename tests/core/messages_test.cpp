// Tests for core/messages.cpp and core/types.cpp. Method: every message kind and status is named, the names
// are distinct and snake_case (they appear in traces that tools parse), and the kind tags follow the
// variant order, which the codec relies on.

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "core/messages.h"

namespace edgecache {
namespace {

TEST_CASE("message kinds have distinct snake_case names in variant order", "[core][messages]") {
  std::set<std::string> names;
  for (std::size_t kind = 0; kind < message_kind_count; ++kind) {
    const std::string name(message_kind_name(static_cast<MessageKind>(kind)));
    INFO("kind " << kind << " is " << name);
    CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
    CHECK(name.rfind("invalid", 0) != 0);
    names.insert(name);
  }
  CHECK(names.size() == message_kind_count);
  CHECK(message_kind_name(kind_of(Holding{})) == "holding");
  CHECK(message_kind_name(kind_of(GetImage{})) == "get_image");
  CHECK(message_kind_name(kind_of(PullOrder{})) == "pull_order");
}

TEST_CASE("statuses have their documented names", "[core][messages]") {
  CHECK(std::string(status_name(Status::ok)) == "ok");
  CHECK(std::string(status_name(Status::not_found)) == "not_found");
  CHECK(std::string(status_name(Status::unavailable)) == "unavailable");
}

}  // namespace
}  // namespace edgecache
