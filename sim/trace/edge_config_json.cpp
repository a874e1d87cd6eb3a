#include "sim/trace/edge_config_json.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace edgecache::sim {

void read_edge_settings(const FieldJson& value, const std::string& path, EdgeConfig& edge) {
  std::vector<std::string_view> keys;
  for (const EdgeConfigField& field : edge_config_fields()) keys.push_back(field.name);
  const ObjectReader object(value, path, keys);
  for (const EdgeConfigField& field : edge_config_fields()) {
    if (const FieldJson* found = object.find(field.name)) {
      field.set(edge, expect_uint(*found, object.path(field.name), field.min, field.max));
    }
  }
  if (const std::optional<EdgeConfigOrderBreach> breach = edge_config_order_breach(edge)) {
    fail_field(object.path(breach->field->name), "must exceed " + std::string(breach->lower->name) + " (" +
                                                     std::to_string(breach->lower_value) + "), got " +
                                                     std::to_string(breach->value));
  }
}

nlohmann::ordered_json edge_config_json(const EdgeConfig& config) {
  nlohmann::ordered_json json{
      {"canonical", config.canonical},
      {"edges", config.edges},
      {"protocol", protocol_name(config.protocol)},
  };
  for (const EdgeConfigField& field : edge_config_fields()) json[std::string(field.name)] = field.get(config);
  return json;
}

std::optional<FieldError> parse_recorded_edge_config(const nlohmann::json& value, const std::string& path,
                                                     EdgeConfig& edge) {
  try {
    FieldJson settings = FieldJson::parse(value.dump());
    if (!settings.is_object()) fail_field(path, "expected an object, got " + json_type_phrase(settings));
    if (const auto canonical = settings.find("canonical"); canonical != settings.end()) {
      edge.canonical = static_cast<NodeId>(expect_uint(*canonical, child_path(path, "canonical"), 0, UINT32_MAX));
      settings.erase(canonical);
    }
    if (const auto edges = settings.find("edges"); edges != settings.end()) {
      const std::string edges_path = child_path(path, "edges");
      if (!edges->is_array()) fail_field(edges_path, "expected an array, got " + json_type_phrase(*edges));
      edge.edges.clear();
      for (std::size_t i = 0; i < edges->size(); ++i) {
        edge.edges.push_back(static_cast<NodeId>(expect_uint((*edges)[i], index_path(edges_path, i), 0, UINT32_MAX)));
      }
      settings.erase(edges);
    }
    if (const auto protocol = settings.find("protocol"); protocol != settings.end()) {
      edge.protocol = expect_enum(*protocol, child_path(path, "protocol"), protocol_names);
      settings.erase(protocol);
    }
    settings.erase("cache_budget_bytes");
    read_edge_settings(settings, path, edge);
  } catch (const FieldFailure& failure) {
    return failure.error;
  }
  return std::nullopt;
}

}  // namespace edgecache::sim
