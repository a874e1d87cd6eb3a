#include "core/edge_config_fields.h"

#include <array>
#include <type_traits>

#include "core/assert.h"

namespace edgecache {

namespace {

// Far beyond any sensible setting, and far enough below the integer limits that milliseconds turned into
// microseconds, and periods added to times, cannot overflow.
constexpr std::uint64_t max_setting = 1'000'000'000;

constexpr std::array<EdgeConfigField, 12> fields{{
    {"heartbeat_interval_ms", &EdgeConfig::heartbeat_interval_ms, 1, max_setting, "ms", "leader: heartbeat period"},
    {"leader_timeout_ms", &EdgeConfig::leader_timeout_ms, 1, max_setting, "ms", "follower: leader silence before an election"},
    {"answer_timeout_ms", &EdgeConfig::answer_timeout_ms, 1, max_setting, "ms", "candidate: wait for a higher edge's answer"},
    {"coordinator_timeout_ms", &EdgeConfig::coordinator_timeout_ms, 1, max_setting, "ms", "candidate: wait for the coordinator"},
    {"origin_timeout_ms", &EdgeConfig::origin_timeout_ms, 1, max_setting, "ms", "one origin fetch or size query"},
    {"pull_timeout_ms", &EdgeConfig::pull_timeout_ms, 1, max_setting, "ms", "one replication pull"},
    {"anti_entropy_interval_ms", &EdgeConfig::anti_entropy_interval_ms, 1, max_setting, "ms", "leader: inventory reconciliation period"},
    {"max_waiters_per_image", &EdgeConfig::max_waiters_per_image, 1, max_setting, "requests", "requests parked on one origin fetch; beyond, unavailable"},
    {"max_origin_fetches", &EdgeConfig::max_origin_fetches, 1, max_setting, "fetches", "distinct images fetched from the origin at once; beyond, unavailable"},
    {"max_active_pulls", &EdgeConfig::max_active_pulls, 1, max_setting, "pulls", "replication pulls in flight at once"},
    {"max_queued_pulls", &EdgeConfig::max_queued_pulls, 1, max_setting, "orders", "pull orders waiting; beyond, an order is dropped"},
    {"max_known_sizes", &EdgeConfig::max_known_sizes, 1, max_setting, "images", "image sizes remembered after eviction, for get_size"},
}};

}  // namespace

std::uint64_t EdgeConfigField::get(const EdgeConfig& config) const {
  return std::visit([&](auto pointer) { return static_cast<std::uint64_t>(config.*pointer); }, member);
}

void EdgeConfigField::set(EdgeConfig& config, std::uint64_t value) const {
  EC_ASSERT(value >= min && value <= max, "an edge setting is stored only within its bounds");
  std::visit([&](auto pointer) { config.*pointer = static_cast<std::remove_reference_t<decltype(config.*pointer)>>(value); },
             member);
}

std::string EdgeConfigField::flag_name() const {
  std::string flag(name);
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

std::span<const EdgeConfigField> edge_config_fields() { return fields; }

const EdgeConfigField& edge_config_field(std::string_view name) {
  for (const EdgeConfigField& field : fields) {
    if (field.name == name) return field;
  }
  EC_ASSERT(false, "no edge setting has this name");
  return fields.front();
}

std::optional<EdgeConfigOrderBreach> edge_config_order_breach(const EdgeConfig& config) {
  const EdgeConfigField& field = edge_config_field("leader_timeout_ms");
  const EdgeConfigField& lower = edge_config_field("heartbeat_interval_ms");
  if (field.get(config) > lower.get(config)) return std::nullopt;
  return EdgeConfigOrderBreach{&field, &lower, field.get(config), lower.get(config)};
}

}  // namespace edgecache
