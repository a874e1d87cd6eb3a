// The daemon's log lines (net/log.cpp). Method: a Logger writes into a string stream; human lines are checked
// whole after their time of day, known events against their sentences and unknown ones against the generic
// "event key=value" form; JSON lines are parsed back and their fields compared.

#include <sstream>

#include <catch2/catch.hpp>

#include "net/log.h"

namespace edgecache::net {
namespace {

constexpr std::size_t time_of_day_chars = 12;  // "HH:MM:SS.mmm"
const NodeNames names = {{1, "edge-1"}, {2, "edge-2"}, {3, "edge-3"}, {100, "canonical"}};

// Splits a human line into its time of day and the rest, checking the time's shape.
std::string after_time(const std::string& line) {
  REQUIRE(line.size() > time_of_day_chars + 1);
  const std::string time = line.substr(0, time_of_day_chars);
  for (std::size_t at : {2u, 5u}) CHECK(time[at] == ':');
  CHECK(time[8] == '.');
  CHECK(line[time_of_day_chars] == ' ');
  return line.substr(time_of_day_chars + 1);
}

}  // namespace

TEST_CASE("log formats and levels parse by name, and nothing else does", "[net][log]") {
  CHECK(parse_log_format("human") == LogFormat::human);
  CHECK(parse_log_format("json") == LogFormat::json);
  CHECK_FALSE(parse_log_format("JSON"));
  CHECK_FALSE(parse_log_format(""));
  CHECK(parse_log_level("warn") == LogLevel::warn);
  CHECK_FALSE(parse_log_level("loud"));
}

TEST_CASE("human lines: time of day, node, level and one short sentence", "[net][log]") {
  std::ostringstream out;
  Logger edge(out, 2, "edge", LogLevel::info, LogFormat::human, names);
  edge.info("leader_changed", {{"leader", 3}, {"epoch", 4}, {"state", "follower"}});
  CHECK(after_time(out.str()) == "edge-2 INFO leader elected: edge-3 (epoch 4)\n");

  out.str("");
  Logger canonical(out, 100, "canonical", LogLevel::info, LogFormat::human, names);
  canonical.warn("origin_served", {{"image", 123}, {"to", "edge-1"}, {"bytes", 4567}});
  CHECK(after_time(out.str()) == "canonical WARN sent image 123 to edge-1 (4567 bytes)\n");

  out.str("");
  edge.debug("replication_pull", {{"image", 1}, {"source", "edge-1"}});
  CHECK(out.str().empty());  // Below the threshold.

  out.str("");
  Logger unnamed(out, 7, "edge", LogLevel::info);
  unnamed.info("stopped");
  CHECK(after_time(out.str()) == "node-7 INFO stopped\n");
}

TEST_CASE("human forms: the first whose fields are all present is used, nodes by name", "[net][log]") {
  CHECK(human_event_text("leader_changed", {{"leader", nullptr}, {"epoch", 5}, {"state", "candidate"}}, names) ==
        "no leader, this edge is a candidate (epoch 5)");
  CHECK(human_event_text("started", {{"listen", "0.0.0.0:7000"}, {"http_listen", "0.0.0.0:8001"}}, names) ==
        "started: peers on 0.0.0.0:7000, HTTP on 0.0.0.0:8001");
  CHECK(human_event_text("started", {{"listen", "0.0.0.0:7000"}, {"http_listen", ""}}, names) ==
        "started: peers on 0.0.0.0:7000, no HTTP");
  CHECK(human_event_text("peer_connected", {{"peer", 100}, {"address", "canonical-server:7000"}, {"direction", "outbound"}},
                         names) == "connected to canonical at canonical-server:7000");
  CHECK(human_event_text("peer_connected", {{"peer", 3}, {"remote", "10.0.0.3:41000"}, {"direction", "inbound"}}, names) ==
        "edge-3 connected from 10.0.0.3:41000");
  CHECK(human_event_text("peer_connected", {{"peer", 9}, {"remote", "10.0.0.9:41000"}, {"direction", "inbound"}}, names) ==
        "node-9 connected from 10.0.0.9:41000");
  // Peer 0 has not said who it is yet.
  CHECK(human_event_text("peer_protocol_error", {{"peer", 0}, {"remote", "10.0.0.9:1"}, {"reason", "bad hello"}}, names) ==
        "protocol error from 10.0.0.9:1: bad hello");
  CHECK(human_event_text("stopped", nullptr, names) == "stopped");
}

TEST_CASE("human lines fall back to 'event key=value' for unknown events and missing fields", "[net][log]") {
  CHECK(human_event_text("mystery", {{"count", 1}, {"note", "two words"}, {"name", "x"}, {"empty", ""}}, names) ==
        "mystery count=1 note=\"two words\" name=x empty=\"\"");
  CHECK(human_event_text("origin_fetch", nullptr, names) == "origin_fetch");
  CHECK(human_event_text("origin_fetch", {{"imageid", 9}}, names) == "origin_fetch imageid=9");
}

TEST_CASE("human lines stay one line whatever a peer sent", "[net][log]") {
  std::ostringstream out;
  Logger logger(out, 1, "edge", LogLevel::debug, LogFormat::human, names);
  logger.warn("peer_protocol_error", {{"peer", 2}, {"remote", "10.0.0.9:1"}, {"reason", "bad\nframe\x1b[2J"}});
  logger.warn("unknown_event", {{"reason", "a\rb"}});
  const std::string text = out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
  CHECK(text.find("protocol error from edge-2 (10.0.0.9:1): bad?frame?[2J\n") != std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
}

TEST_CASE("JSON lines hold the timestamp, node, role, level, event and fields, in that order", "[net][log]") {
  std::ostringstream out;
  Logger logger(out, 2, "edge", LogLevel::info, LogFormat::json);
  logger.info("replicated", {{"image", 7}, {"source", "edge-1"}, {"bytes", 100}});
  logger.error("odd", {{"reason", std::string("\xff\xfe")}});  // Invalid UTF-8 is replaced, not lost.
  std::istringstream lines(out.str());
  std::string line;
  REQUIRE(std::getline(lines, line));
  const nlohmann::ordered_json first = nlohmann::ordered_json::parse(line);
  std::vector<std::string> keys;
  for (const auto& [key, value] : first.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"ts", "node", "role", "level", "event", "image", "source", "bytes"});
  CHECK(first["ts"].get<std::string>().size() == std::string("2025-01-01T00:00:00.000Z").size());
  CHECK(first["node"] == 2);
  CHECK(first["level"] == "info");
  CHECK(first["event"] == "replicated");
  CHECK(first["source"] == "edge-1");
  REQUIRE(std::getline(lines, line));
  CHECK(nlohmann::json::parse(line)["event"] == "odd");
  CHECK_FALSE(std::getline(lines, line));
}

}  // namespace edgecache::net
