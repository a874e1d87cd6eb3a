// The log lines drawn from messages (net/message_log.cpp). Method: a MessageLog writes JSON lines into a string
// stream; each case shows it messages as an edge or the canonical would send or receive them and compares the
// events logged, so routine traffic and cache hits are checked to log nothing.

#include <sstream>

#include <catch2/catch.hpp>

#include "net/limits.h"
#include "net/message_log.h"

namespace edgecache::net {
namespace {

constexpr NodeId canonical_id = 100;
const NodeNames names = {{1, "edge-1"}, {2, "edge-2"}, {3, "edge-3"}, {canonical_id, "canonical"}};

// One node's log, in JSON, and its MessageLog.
struct LoggedNode {
  explicit LoggedNode(NodeId self)
      : logger(out, self, self == canonical_id ? "canonical" : "edge", LogLevel::debug, LogFormat::json, names),
        log(logger, self, canonical_id) {}

  // The lines written since the last call, as "level event field=value ..." (fields in order), then clears.
  std::vector<std::string> take() {
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    std::string line;
    while (std::getline(in, line)) {
      const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(line);
      std::string text = parsed["level"].get<std::string>() + " " + parsed["event"].get<std::string>();
      std::size_t index = 0;
      for (const auto& [key, value] : parsed.items()) {
        if (index++ >= 5) text += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
      }
      lines.push_back(text);
    }
    out.str("");
    return lines;
  }

  std::ostringstream out;
  Logger logger;
  MessageLog log;
};

Body body_of_size(std::size_t size) { return make_body(std::vector<std::uint8_t>(size, 7)); }

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("an edge logs its misses, origin fetches and failed requests, not its hits", "[net][message_log]") {
  LoggedNode edge(1);
  const NodeId client = first_local_client_id + 5;
  edge.log.sent(canonical_id, GetImage{1, 123, false});
  edge.log.received(canonical_id, ImageReply{1, 123, Status::ok, 0, body_of_size(40)});
  edge.log.sent(client, ImageReply{9, 123, Status::ok, 0, body_of_size(40)});
  CHECK(edge.take() == Lines{"info origin_fetch image=123", "info origin_fetched image=123 bytes=40"});

  edge.log.sent(canonical_id, GetSize{2, 456});
  edge.log.received(canonical_id, SizeReply{2, 456, Status::ok, 99});
  edge.log.sent(client, SizeReply{10, 456, Status::ok, 99});
  CHECK(edge.take() == Lines{"info origin_size_query image=456", "info origin_size image=456 bytes=99"});

  edge.log.sent(client, ImageReply{11, 9999, Status::not_found, 0, nullptr});
  edge.log.sent(client, SizeReply{12, 8, Status::unavailable, 0});
  CHECK(edge.take() == Lines{"info image_not_found image=9999", "warn image_unavailable image=8"});
}

TEST_CASE("replication shows as orders, pulls and their outcomes", "[net][message_log]") {
  LoggedNode leader(3);
  leader.log.sent(2, PullOrder{4, 123, 1});
  CHECK(leader.take() == Lines{"debug replication_order image=123 to=edge-2 source=edge-1"});

  LoggedNode follower(2);
  follower.log.received(3, PullOrder{4, 123, 1});
  follower.log.sent(1, GetImage{5, 123, true});
  follower.log.received(1, ImageReply{5, 123, Status::ok, 0, body_of_size(64)});
  follower.log.sent(1, GetImage{6, 124, true});
  follower.log.received(1, ImageReply{6, 124, Status::unavailable, 0, nullptr});
  CHECK(follower.take() == Lines{"debug replication_pull image=123 source=edge-1", "info replicated image=123 source=edge-1 bytes=64",
                                 "debug replication_pull image=124 source=edge-1",
                                 "warn replication_failed image=124 source=edge-1 status=unavailable"});
}

TEST_CASE("the canonical logs what it answers to origin fetches", "[net][message_log]") {
  LoggedNode canonical(canonical_id);
  canonical.log.sent(1, ImageReply{1, 123, Status::ok, 0, body_of_size(40)});
  canonical.log.sent(2, SizeReply{2, 456, Status::ok, 99});
  canonical.log.sent(7, ImageReply{3, 5000, Status::not_found, 0, nullptr});
  CHECK(canonical.take() == Lines{"info origin_served image=123 to=edge-1 bytes=40",
                                  "info origin_size_served image=456 to=edge-2 bytes=99",
                                  "info origin_not_found image=5000 to=node-7"});
}

TEST_CASE("routine traffic logs nothing", "[net][message_log]") {
  LoggedNode edge(2);
  for (const Message& message : std::vector<Message>{Heartbeat{1}, HeartbeatAck{1}, Election{2}, Answer{2}, Coordinator{2},
                                                     InventoryRequest{2}, Holding{2, true, false, {1, 2}, 100}}) {
    edge.log.sent(3, message);
    edge.log.received(3, message);
  }
  // An edge answering a peer's pull, hit or miss, is the puller's event.
  edge.log.sent(1, ImageReply{7, 1, Status::ok, 0, body_of_size(5)});
  edge.log.sent(1, ImageReply{8, 2, Status::unavailable, 0, nullptr});
  CHECK(edge.take().empty());
}

TEST_CASE("LoggedSink shows each message to the log and passes it on unchanged", "[net][message_log]") {
  struct Recording final : MessageSink {
    void send(NodeId to, Message message, std::uint64_t lamport) override { sent.push_back({to, kind_of(message), lamport}); }
    std::vector<std::tuple<NodeId, MessageKind, std::uint64_t>> sent;
  } recording;
  LoggedNode edge(1);
  LoggedSink sink(recording, edge.log);
  sink.send(canonical_id, GetImage{1, 42, false}, 17);
  sink.send(2, Heartbeat{3}, 18);
  CHECK(recording.sent == std::vector<std::tuple<NodeId, MessageKind, std::uint64_t>>{
                              {canonical_id, MessageKind::get_image, 17}, {2, MessageKind::heartbeat, 18}});
  CHECK(edge.take() == Lines{"info origin_fetch image=42"});
}

}  // namespace edgecache::net
