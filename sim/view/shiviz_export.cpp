#include "sim/view/shiviz_export.h"

#include <algorithm>
#include <deque>
#include <map>
#include <vector>

namespace edgecache::sim {

namespace {

using VectorClock = std::vector<std::uint64_t>;

// A send waiting for its deliveries: the sender's clock at the send and how many copies may still arrive.
struct PendingSend {
  VectorClock clock;
  int copies_in_flight = 0;
};

// How a send is found again by its receive: its id, or in traces without ids its link and message fields.
struct SendKey {
  std::uint64_t message_id = 0;
  std::string link_and_message;
  auto operator<=>(const SendKey&) const = default;
};

std::string plain_value(const nlohmann::ordered_json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

SendKey key_of(const TraceEvent& event, const nlohmann::ordered_json& line) {
  if (event.message_id) return SendKey{*event.message_id, {}};
  const bool is_send = event.ev == "send";
  // Built by appending: GCC 12 at -O3 warns falsely (-Wrestrict) about `" " + std::string`.
  std::string key = is_send ? event.node : event.peer;
  key += '>';
  key += is_send ? event.peer : event.node;
  for (const char* field : {"msg", "req", "epoch", "image"}) {
    // contains() and at() rather than find(): GCC 12 at -O3 warns falsely (-Wnull-dereference) about *found.
    if (!line.contains(field)) continue;
    key += ' ';
    key += plain_value(line.at(field));
  }
  return SendKey{0, std::move(key)};
}

}  // namespace

std::string export_shiviz(const ParsedTrace& trace) {
  std::vector<std::string> hosts = trace.hosts;
  hosts.push_back(shiviz_cluster_host);
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < hosts.size(); ++i) index_of.emplace(hosts[i], i);

  std::vector<VectorClock> clocks(hosts.size(), VectorClock(hosts.size(), 0));
  std::map<SendKey, std::deque<PendingSend>> pending;

  std::string out = std::string(shiviz_parser_regex) + "\n\n";
  for (const TraceEvent& event : trace.events) {
    const std::string& host = event.node.empty() ? hosts.back() : event.node;
    const std::size_t self = index_of.at(host);
    VectorClock& clock = clocks[self];
    // Ordered, so the fields follow the trace line's own order.
    const nlohmann::ordered_json line = nlohmann::ordered_json::parse(event.text);

    if (event.ev == "recv" || event.ev == "drop") {
      auto found = pending.find(key_of(event, line));
      if (found != pending.end() && !found->second.empty()) {
        PendingSend& send = found->second.front();
        // Only a receive learns what its sender knew; a drop is the simulator's note, not a delivery.
        if (event.ev == "recv") {
          for (std::size_t i = 0; i < clock.size(); ++i) clock[i] = std::max(clock[i], send.clock[i]);
        }
        if (--send.copies_in_flight == 0) {
          found->second.pop_front();
          if (found->second.empty()) pending.erase(found);
        }
      }
    }
    ++clock[self];
    if (event.ev == "send") {
      const std::string fate = line.value("fate", "scheduled");
      const int copies = fate == "duplicated" ? 2 : fate == "scheduled" ? 1 : 0;
      if (copies > 0) pending[key_of(event, line)].push_back(PendingSend{clock, copies});
    }

    out += host;
    out += " {";
    bool first = true;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      if (clock[i] == 0) continue;
      if (!first) out += ", ";
      first = false;
      out += nlohmann::json(hosts[i]).dump() + ":" + std::to_string(clock[i]);
    }
    out += "} t_us=" + std::to_string(event.t_us) + " " + event.ev;
    for (const auto& [key, value] : line.items()) {
      if (key == "t_us" || key == "ev" || key == "node") continue;
      std::string shown = plain_value(value);
      // A value with a line break would split the log line; none is expected, but a real trace may have one.
      for (char& c : shown) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      out += " " + key + "=" + shown;
    }
    out += "\n";
  }
  return out;
}

}  // namespace edgecache::sim
