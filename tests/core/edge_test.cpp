// Edge serving: hits, misses, request coalescing, checksum verification, timeouts and bounds. Method: one
// edge on a TestEnv; the test plays the clients and the canonical by calling on_message and inspecting what
// the edge sent, and moves time to fire timeouts.

#include <catch2/catch.hpp>

#include "tests/core/edge_test_support.h"

using namespace edgecache;
using namespace edgecache::test;

TEST_CASE("a miss fetches once from the origin however many requests wait, then hits", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetImage{100, 42, false});
  h.edge.on_message(client_b, GetImage{200, 42, false});
  auto fetches = h.env.sent_of<GetImage>();
  REQUIRE(fetches.size() == 1);
  CHECK(fetches[0].first == canonical_id);
  CHECK(h.edge.counters().coalesced == 1);

  Body body = body_of_size(5000);
  h.env.take_sent();
  h.edge.on_message(canonical_id, h.origin_reply_for(fetches[0].second, body));
  auto replies = h.env.sent_of<ImageReply>();
  REQUIRE(replies.size() == 2);
  CHECK(replies[0].first == client_a);
  CHECK(replies[0].second.request_id == 100);
  CHECK(replies[1].first == client_b);
  CHECK(replies[1].second.request_id == 200);
  for (const auto& [to, reply] : replies) {
    CHECK(reply.status == Status::ok);
    CHECK(reply.body->checksum() == body->checksum());
    CHECK(reply.checksum == body->checksum());
  }
  CHECK(h.cache.contains(42));
  CHECK(h.env.count_timers(TimerKind::origin_timeout) == 0);

  h.env.take_sent();
  h.edge.on_message(client_a, GetImage{101, 42, false});
  CHECK(h.env.sent_of<GetImage>().empty());
  CHECK(h.env.sent_of<ImageReply>().size() == 1);
  CHECK(h.edge.counters().hits == 1);
  CHECK(h.edge.counters().origin_fetches == 1);
}

TEST_CASE("a body that does not match its checksum is neither served nor cached", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetImage{1, 9, false});
  GetImage fetch = h.env.sent_of<GetImage>().at(0).second;
  h.env.take_sent();
  Body body = body_of_size(100);
  h.edge.on_message(canonical_id, ImageReply{fetch.request_id, 9, Status::ok, body->checksum() ^ 1, body});
  auto replies = h.env.sent_of<ImageReply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.status == Status::unavailable);
  CHECK(replies[0].second.body == nullptr);
  CHECK_FALSE(h.cache.contains(9));
  CHECK(h.edge.counters().checksum_failures == 1);
}

TEST_CASE("an origin timeout answers every waiter unavailable, and a later request fetches again", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetImage{1, 5, false});
  h.edge.on_message(client_b, GetSize{2, 5});
  GetImage first = h.env.sent_of<GetImage>().at(0).second;
  h.env.take_sent();
  h.env.advance_by(ms_to_us(h.edge.config().origin_timeout_ms), h.edge);
  auto image_replies = h.env.sent_of<ImageReply>();
  auto size_replies = h.env.sent_of<SizeReply>();
  REQUIRE(image_replies.size() == 1);
  REQUIRE(size_replies.size() == 1);
  CHECK(image_replies[0].second.status == Status::unavailable);
  CHECK(size_replies[0].second.status == Status::unavailable);

  // The late reply to the abandoned fetch is ignored.
  h.env.take_sent();
  Body body = body_of_size(10);
  h.edge.on_message(canonical_id, h.origin_reply_for(first, body));
  CHECK(h.env.sent.empty());
  CHECK_FALSE(h.cache.contains(5));

  h.edge.on_message(client_a, GetImage{3, 5, false});
  auto fetches = h.env.sent_of<GetImage>();
  REQUIRE(fetches.size() == 1);
  CHECK(fetches[0].second.request_id != first.request_id);
}

TEST_CASE("not_found from the origin is passed on and not cached", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetImage{1, 77, false});
  GetImage fetch = h.env.sent_of<GetImage>().at(0).second;
  h.env.take_sent();
  h.edge.on_message(canonical_id, ImageReply{fetch.request_id, 77, Status::not_found, 0, nullptr});
  auto replies = h.env.sent_of<ImageReply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.status == Status::not_found);
  CHECK(h.cache.item_count() == 0);
}

TEST_CASE("get_size answers from the cache, else asks the origin once", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetSize{1, 8});
  h.edge.on_message(client_b, GetSize{2, 8});
  auto queries = h.env.sent_of<GetSize>();
  REQUIRE(queries.size() == 1);
  h.env.take_sent();
  h.edge.on_message(canonical_id, SizeReply{queries[0].second.request_id, 8, Status::ok, 1234});
  auto replies = h.env.sent_of<SizeReply>();
  REQUIRE(replies.size() == 2);
  CHECK(replies[0].second.size_bytes == 1234);
  CHECK(replies[1].second.size_bytes == 1234);

  // Remembered: no second query.
  h.env.take_sent();
  h.edge.on_message(client_a, GetSize{3, 8});
  CHECK(h.env.sent_of<GetSize>().empty());
  REQUIRE(h.env.sent_of<SizeReply>().size() == 1);
  CHECK(h.env.sent_of<SizeReply>()[0].second.size_bytes == 1234);
}

TEST_CASE("get_size joins an image fetch already in flight", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetImage{1, 4, false});
  h.edge.on_message(client_b, GetSize{2, 4});
  CHECK(h.env.sent_of<GetSize>().empty());
  GetImage fetch = h.env.sent_of<GetImage>().at(0).second;
  h.env.take_sent();
  h.edge.on_message(canonical_id, h.origin_reply_for(fetch, body_of_size(321)));
  auto sizes = h.env.sent_of<SizeReply>();
  REQUIRE(sizes.size() == 1);
  CHECK(sizes[0].second.size_bytes == 321);
}

TEST_CASE("requests beyond max_waiters_per_image are refused as unavailable", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  std::size_t limit = h.edge.config().max_waiters_per_image;
  for (std::size_t i = 0; i <= limit; ++i) h.edge.on_message(client_a, GetImage{i + 1, 6, false});
  auto refused = h.env.sent_of<ImageReply>();
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].second.status == Status::unavailable);
  CHECK(refused[0].second.request_id == limit + 1);
}

TEST_CASE("a cache-only request on a miss is refused without an origin fetch", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(1, GetImage{1, 6, true});
  CHECK(h.env.sent_of<GetImage>().empty());
  auto replies = h.env.sent_of<ImageReply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.status == Status::unavailable);
}

TEST_CASE("an image larger than the whole budget is served but not cached", "[core][edge]") {
  EdgeHarness h(2, 1000);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetImage{1, 3, false});
  GetImage fetch = h.env.sent_of<GetImage>().at(0).second;
  h.env.take_sent();
  h.edge.on_message(canonical_id, h.origin_reply_for(fetch, body_of_size(5000)));
  REQUIRE(h.env.sent_of<ImageReply>().size() == 1);
  CHECK(h.env.sent_of<ImageReply>()[0].second.status == Status::ok);
  CHECK(h.cache.item_count() == 0);
  CHECK(h.env.sent_of<Holding>().empty());
}

TEST_CASE("a cache listener hears every insertion and eviction in order, and nothing else", "[core][edge]") {
  // Records what the edge reports, as the daemon's disk cache would mirror it.
  struct RecordingListener final : CacheListener {
    std::vector<std::string> events;
    void on_cached(ImageId image_id, const Body& body) override {
      events.push_back("cached " + std::to_string(image_id) + " " + std::to_string(body->size()));
    }
    void on_evicted(ImageId image_id) override { events.push_back("evicted " + std::to_string(image_id)); }
  };
  EdgeHarness h(2, 10'000);
  h.follow(3, 1);
  RecordingListener listener;
  h.edge.set_cache_listener(&listener);
  auto fetch_and_store = [&](ImageId image_id, std::size_t size) {
    h.env.take_sent();
    h.edge.on_message(client_a, GetImage{image_id, image_id, false});
    const GetImage fetch = h.env.sent_of<GetImage>().at(0).second;
    h.edge.on_message(canonical_id, h.origin_reply_for(fetch, body_of_size(size)));
  };
  fetch_and_store(1, 4000);
  fetch_and_store(2, 3000);
  h.edge.on_message(client_a, GetImage{50, 1, false});  // A hit changes nothing on disk.
  fetch_and_store(3, 3500);                              // Evicts image 2, the least recently used.
  CHECK(listener.events == std::vector<std::string>{"cached 1 4000", "cached 2 3000", "evicted 2", "cached 3 3500"});
  h.edge.set_cache_listener(nullptr);
  fetch_and_store(4, 100);
  CHECK(listener.events.size() == 4);
}

TEST_CASE("an origin reply is taken only from the canonical, for the request outstanding", "[core][edge]") {
  // A peer that answers in the canonical's place, a reply to a request never made and one naming another
  // image are all dropped and counted; the fetch waits on for the canonical's own answer.
  EdgeHarness h(2);
  h.follow(3, 1);
  const GetImage fetch = h.miss(9);
  Body forged = body_of_size(100, 0xA5);
  h.edge.on_message(1, h.origin_reply_for(fetch, forged));
  h.edge.on_message(canonical_id, ImageReply{fetch.request_id + 100, 9, Status::ok, forged->checksum(), forged});
  h.edge.on_message(canonical_id, ImageReply{fetch.request_id, 10, Status::ok, forged->checksum(), forged});
  CHECK(h.env.sent.empty());
  CHECK(h.cache.item_count() == 0);
  CHECK(h.edge.counters().unrequested_replies == 3);

  Body body = body_of_size(100);
  h.edge.on_message(canonical_id, h.origin_reply_for(fetch, body));
  auto replies = h.env.sent_of<ImageReply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.body->checksum() == body->checksum());
  CHECK(h.cache.peek(9)->checksum() == body->checksum());
}

TEST_CASE("a size reply is taken only from the canonical, for the query outstanding", "[core][edge]") {
  EdgeHarness h(2);
  h.follow(3, 1);
  h.edge.on_message(client_a, GetSize{1, 8});
  GetSize query = h.env.sent_of<GetSize>().at(0).second;
  h.env.take_sent();
  h.edge.on_message(3, SizeReply{query.request_id, 8, Status::ok, 12345});
  h.edge.on_message(canonical_id, SizeReply{query.request_id + 1, 8, Status::ok, 12345});
  CHECK(h.env.sent.empty());
  CHECK(h.edge.counters().unrequested_replies == 2);

  h.edge.on_message(canonical_id, SizeReply{query.request_id, 8, Status::ok, 700});
  auto replies = h.env.sent_of<SizeReply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.size_bytes == 700);
}
