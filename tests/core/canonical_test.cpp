// Tests for the canonical server. Method: a Canonical over a small MemoryCatalog is driven through TestEnv;
// each request kind is sent for a known and an unknown image and the single reply recorded by the Env is
// checked field by field (and shown to be encodable, since the real canonical sends it over a socket).
// Messages and timers the canonical should ignore are sent too, and the Env must record nothing.

#include <catch2/catch.hpp>

#include "core/canonical.h"
#include "core/codec.h"
#include "tests/core/test_env.h"

namespace edgecache {
namespace {

constexpr NodeId canonical_id = 1;
constexpr NodeId edge_id = 5;

struct Fixture {
  Fixture() {
    catalog.add(100, image);
    catalog.add(101, make_body({}));
  }
  MemoryCatalog catalog;
  Body image = make_body({9, 8, 7, 6, 5, 4, 3, 2, 1});
  test::TestEnv env{canonical_id};
  Canonical canonical{env, catalog};
};

TEST_CASE("canonical serves a known image with its checksum", "[core][canonical]") {
  Fixture fixture;
  for (const bool cache_only : {false, true}) {
    fixture.env.take_sent();
    fixture.canonical.on_message(edge_id, GetImage{42, 100, cache_only});
    const auto replies = fixture.env.sent_of<ImageReply>();
    REQUIRE(fixture.env.sent.size() == 1);
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].first == edge_id);
    const ImageReply& reply = replies[0].second;
    CHECK(reply.request_id == 42);
    CHECK(reply.image_id == 100);
    CHECK(reply.status == Status::ok);
    CHECK(reply.body == fixture.image);
    CHECK(reply.checksum == fixture.image->checksum());
    CHECK(decode(encode(reply)).ok());
  }
  CHECK(fixture.canonical.images_served() == 2);
}

TEST_CASE("canonical serves an empty image as ok", "[core][canonical]") {
  Fixture fixture;
  fixture.canonical.on_message(edge_id, GetImage{1, 101, false});
  const auto replies = fixture.env.sent_of<ImageReply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.status == Status::ok);
  REQUIRE(replies[0].second.body != nullptr);
  CHECK(replies[0].second.body->size() == 0);
}

TEST_CASE("canonical answers not_found for an unknown image", "[core][canonical]") {
  Fixture fixture;
  fixture.canonical.on_message(edge_id, GetImage{43, 999, false});
  const auto replies = fixture.env.sent_of<ImageReply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].first == edge_id);
  CHECK(replies[0].second.request_id == 43);
  CHECK(replies[0].second.image_id == 999);
  CHECK(replies[0].second.status == Status::not_found);
  CHECK(replies[0].second.body == nullptr);
  CHECK(decode(encode(replies[0].second)).ok());
  CHECK(fixture.canonical.images_served() == 0);
}

TEST_CASE("canonical answers size queries", "[core][canonical]") {
  Fixture fixture;
  fixture.canonical.on_message(edge_id, GetSize{50, 100});
  fixture.canonical.on_message(edge_id + 1, GetSize{51, 999});
  const auto replies = fixture.env.sent_of<SizeReply>();
  REQUIRE(replies.size() == 2);
  CHECK(replies[0].first == edge_id);
  CHECK(replies[0].second.request_id == 50);
  CHECK(replies[0].second.image_id == 100);
  CHECK(replies[0].second.status == Status::ok);
  CHECK(replies[0].second.size_bytes == 9);
  CHECK(replies[1].first == edge_id + 1);
  CHECK(replies[1].second.request_id == 51);
  CHECK(replies[1].second.status == Status::not_found);
  // A size query is not an image served.
  CHECK(fixture.canonical.images_served() == 0);
}

TEST_CASE("canonical ignores other messages, timers and its own start", "[core][canonical]") {
  Fixture fixture;
  fixture.canonical.on_start();
  const Body body = make_body({1});
  const std::vector<Message> ignored = {
      ImageReply{1, 100, Status::ok, body->checksum(), body}, SizeReply{1, 100, Status::ok, 1}, Election{1},
      Answer{1}, Coordinator{1}, Heartbeat{1}, HeartbeatAck{1}, InventoryRequest{1}, Holding{1, true, false, {100}},
      PullOrder{1, 100, 2},
  };
  for (const Message& message : ignored) fixture.canonical.on_message(edge_id, message);
  fixture.canonical.on_timer(Timer{TimerKind::origin_timeout, 100});
  CHECK(fixture.env.sent.empty());
  CHECK(fixture.env.timers_started == 0);
  CHECK(fixture.canonical.images_served() == 0);
}

TEST_CASE("canonical serves a synthetic catalog's bytes", "[core][canonical]") {
  SyntheticCatalogOptions options;
  options.image_count = 10;
  options.min_size_bytes = 10;
  options.median_size_bytes = 100;
  options.max_size_bytes = 1000;
  const SyntheticCatalog catalog(options);
  test::TestEnv env{canonical_id};
  Canonical canonical(env, catalog);
  canonical.on_message(edge_id, GetImage{1, 7, false});
  const auto replies = env.sent_of<ImageReply>();
  REQUIRE(replies.size() == 1);
  REQUIRE(replies[0].second.body != nullptr);
  CHECK(replies[0].second.body->size() == catalog.info(7)->size_bytes);
  CHECK(replies[0].second.checksum == catalog.info(7)->checksum);
}

}  // namespace
}  // namespace edgecache
