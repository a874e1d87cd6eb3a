// The edge settings table (core/edge_config_fields.h). Method: walk the table against EdgeConfig itself
// (every row reads and writes its own member, every default lies within its bounds) and against
// docs/scenarios.md, whose cluster.edge table must list every row with its unit and default, so the code and
// the documentation cannot drift apart.

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "core/edge_config_fields.h"

namespace edgecache {
namespace {

TEST_CASE("every settings row reads and writes its own member, and its default is within bounds", "[edge_config]") {
  const EdgeConfig defaults;
  std::set<std::string_view> names;
  std::uint64_t distinct = 1;
  EdgeConfig changed;
  for (const EdgeConfigField& field : edge_config_fields()) {
    INFO(field.name);
    CHECK(names.insert(field.name).second);
    CHECK(field.get(defaults) >= field.min);
    CHECK(field.get(defaults) <= field.max);
    field.set(changed, ++distinct);
  }
  distinct = 1;
  for (const EdgeConfigField& field : edge_config_fields()) CHECK(field.get(changed) == ++distinct);
  CHECK(edge_config_field("max_known_sizes").flag_name() == "max-known-sizes");
  CHECK(edge_config_field("heartbeat_interval_ms").is_duration());
  CHECK_FALSE(edge_config_field("max_active_pulls").is_duration());
}

TEST_CASE("the leader timeout must exceed the heartbeat interval", "[edge_config]") {
  EdgeConfig config;
  CHECK_FALSE(edge_config_order_breach(config).has_value());
  config.leader_timeout_ms = config.heartbeat_interval_ms;
  const std::optional<EdgeConfigOrderBreach> breach = edge_config_order_breach(config);
  REQUIRE(breach.has_value());
  CHECK(breach->field->name == "leader_timeout_ms");
  CHECK(breach->lower->name == "heartbeat_interval_ms");
  CHECK(breach->value == breach->lower_value);
}

TEST_CASE("docs/scenarios.md lists every setting with its unit and default", "[edge_config]") {
  std::ifstream file(std::string(EDGECACHE_SOURCE_DIR) + "/docs/scenarios.md");
  REQUIRE(file);
  std::ostringstream text;
  text << file.rdbuf();
  const EdgeConfig defaults;
  for (const EdgeConfigField& field : edge_config_fields()) {
    const std::string row = "| `" + std::string(field.name) + "` | " + std::string(field.unit) + " | `" +
                            std::to_string(field.get(defaults)) + "` |";
    INFO(row);
    CHECK(text.str().find(row) != std::string::npos);
  }
}

}  // namespace
}  // namespace edgecache
