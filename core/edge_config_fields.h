#pragma once
// The edge's settings as one table: each row is one field of EdgeConfig with its name, bounds, unit and
// meaning. The scenario reader and writer, the node trace header, the daemon's flags and the arguments
// `sim real` gives its daemons all walk this table, so a new setting is a member in EdgeConfig and one row
// here. Membership (canonical, edges) and the protocol are not settings: the cluster or the daemon's other
// flags fill them in.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/edge.h"

namespace edgecache {

struct EdgeConfigField {
  std::string_view name;  // As scenarios and trace headers spell it: "heartbeat_interval_ms".
  std::variant<std::int64_t EdgeConfig::*, std::size_t EdgeConfig::*> member;
  std::uint64_t min = 1;
  std::uint64_t max = 1;
  std::string_view unit;  // "ms" for durations; otherwise what is counted ("requests", "pulls").
  std::string_view doc;   // One line, for the daemon's --help.

  // Returns the field's value in `config`.
  std::uint64_t get(const EdgeConfig& config) const;
  // Stores `value` in `config`. REQUIRES: min <= value <= max.
  void set(EdgeConfig& config, std::uint64_t value) const;
  // The daemon flag's name, without its "--": the name with '-' for '_' ("heartbeat-interval-ms").
  std::string flag_name() const;
  bool is_duration() const { return unit == "ms"; }
};

// Every setting, in the order scenarios document them and trace headers write them.
std::span<const EdgeConfigField> edge_config_fields();

// The setting named `name`. REQUIRES: the table has such a row.
const EdgeConfigField& edge_config_field(std::string_view name);

// Two settings that must keep an order: `field` must exceed `lower`. A follower whose leader timeout is no
// longer than the heartbeat interval would depose a healthy leader between two heartbeats, so the election
// would never settle.
struct EdgeConfigOrderBreach {
  const EdgeConfigField* field = nullptr;
  const EdgeConfigField* lower = nullptr;
  std::uint64_t value = 0;
  std::uint64_t lower_value = 0;
};

// Returns the rule `config` breaks, or nothing. Each caller words the error its own way (a scenario path, a
// daemon flag), so this returns the facts only.
std::optional<EdgeConfigOrderBreach> edge_config_order_breach(const EdgeConfig& config);

}  // namespace edgecache
