#pragma once
// An edge's configuration in JSON, both ways, driven by the settings table (core/edge_config_fields.h): the
// settings alone as a scenario's "cluster.edge" object holds them, and the whole configuration as a node
// trace's header records it (the settings plus "canonical", "edges" and "protocol"). Daemons write the
// header form; the simulator reads both.

#include <array>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/edge.h"
#include "core/edge_config_fields.h"
#include "sim/trace/json_fields.h"

namespace edgecache::sim {

// The protocols as documents spell them.
inline constexpr std::array<EnumName<Protocol>, 2> protocol_names{{
    {"standard", Protocol::standard},
    {"classic", Protocol::classic},
}};

// Reads a "cluster.edge" object at `path` on top of `edge`: every key is a setting of the table, each
// optional (an absent one keeps `edge`'s value), and the settings must keep their order
// (edge_config_order_breach). Throws FieldFailure (sim/trace/json_fields.h) on the first error.
void read_edge_settings(const FieldJson& value, const std::string& path, EdgeConfig& edge);

// The settings of `config` as a JSON object, one key per row of the table, in table order.
template <typename Json>
Json edge_settings_json(const EdgeConfig& config) {
  Json json = Json::object();
  for (const EdgeConfigField& field : edge_config_fields()) json[std::string(field.name)] = field.get(config);
  return json;
}

// The whole of `config` as a node trace's header records it: canonical, edges, protocol, then the settings.
nlohmann::ordered_json edge_config_json(const EdgeConfig& config);

// Reads an edge's whole configuration as a node trace's header records it (edge_config_json's layout);
// "cache_budget_bytes" is allowed and left to the caller. Absent fields keep their value in `edge`. Returns
// the first error, its path starting with `path`, or nothing.
std::optional<FieldError> parse_recorded_edge_config(const nlohmann::json& value, const std::string& path,
                                                     EdgeConfig& edge);

}  // namespace edgecache::sim
