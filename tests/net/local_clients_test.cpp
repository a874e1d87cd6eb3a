// Tests of net/local_clients.cpp. Method: a real io_context and RealEnv drive a stand-in node that records
// the requests it gets and answers only the ones a test tells it to; the test runs the context for bounded
// slices of real time and checks that every request is answered exactly once, by the node's reply when one
// comes in time and with nothing at the deadline otherwise, whatever the order the two happen in.

#include <map>
#include <optional>
#include <set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "net/limits.h"
#include "net/local_clients.h"

namespace edgecache::net {

namespace {

using std::chrono::milliseconds;

// Replies (not_found, which is as good as any reply here) only to the image ids in `ids_to_answer`.
class RecordingNode final : public Node {
 public:
  explicit RecordingNode(LocalClients*& local) : local_(local) {}
  void on_start() override {}
  void on_message(NodeId from, const Message& message) override {
    const auto& request = std::get<GetImage>(message);
    if (ids_to_answer.count(request.image_id) > 0) {
      local_->deliver(from, ImageReply{request.request_id, request.image_id, Status::not_found, 0, nullptr});
    }
  }
  void on_timer(const Timer&) override {}
  std::set<ImageId> ids_to_answer;

 private:
  LocalClients*& local_;
};

class NoSink final : public MessageSink {
 public:
  void send(NodeId, Message, std::uint64_t) override {}
};

constexpr std::int64_t test_deadline_ms = 100;

// A stand-in node and its LocalClients on one io_context, wired as the daemon wires them.
struct Harness {
  explicit Harness(std::size_t max_pending) {
    env.attach(node);
    local.emplace(context, env, test_deadline_ms, max_pending);
    local_pointer = &*local;
  }
  boost::asio::io_context context{1};
  NoSink sink;
  RealEnv env{context, 1, sink};
  LocalClients* local_pointer = nullptr;
  RecordingNode node{local_pointer};
  std::optional<LocalClients> local;
};

}  // namespace

TEST_CASE("local requests are answered once: by the node's reply, or with nothing at the deadline", "[net]") {
  Harness harness(8);
  boost::asio::io_context& context = harness.context;
  LocalClients& local = *harness.local;
  harness.node.ids_to_answer = {1, 3};

  // What each request got (true: a reply, false: the deadline's nothing), and how long after its
  // submission. A loaded machine may make answers late, never early, so only lower bounds are checked.
  struct Answer {
    bool replied;
    milliseconds after;
  };
  std::map<ImageId, std::vector<Answer>> answers;
  auto ask = [&](ImageId id) {
    const auto submitted = std::chrono::steady_clock::now();
    local.submit(GetImage{0, id, false}, [&answers, id, submitted](std::optional<Message> reply) {
      const auto after = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - submitted);
      answers[id].push_back({reply.has_value(), after});
    });
  };
  ask(1);  // Answered at once.
  ask(2);  // Never answered by the node: the deadline answers it.
  context.run_for(milliseconds(test_deadline_ms / 2));
  ask(3);  // Submitted later and answered at once; request 2's deadline must not touch it.
  ask(4);  // Submitted later, never answered: its own, later deadline answers it, not request 2's.
  context.run_for(milliseconds(test_deadline_ms * 4));  // Ample: request 4 is due at 1.5 deadlines.
  REQUIRE(answers[1].size() == 1);
  CHECK(answers[1][0].replied);
  REQUIRE(answers[2].size() == 1);
  CHECK_FALSE(answers[2][0].replied);
  CHECK(answers[2][0].after >= milliseconds(test_deadline_ms));
  REQUIRE(answers[3].size() == 1);
  CHECK(answers[3][0].replied);
  REQUIRE(answers[4].size() == 1);
  CHECK_FALSE(answers[4][0].replied);
  CHECK(answers[4][0].after >= milliseconds(test_deadline_ms));
  CHECK(local.pending_count() == 0);

  // A late reply, for a request the deadline already answered, goes nowhere.
  local.deliver(first_local_client_id + 1, ImageReply{2, 2, Status::ok, 0, nullptr});
  context.run_for(milliseconds(10));
  CHECK(answers[2].size() == 1);
}

TEST_CASE("local requests beyond max_pending are answered with nothing at once", "[net]") {
  Harness harness(2);
  boost::asio::io_context& context = harness.context;
  LocalClients& local = *harness.local;

  std::vector<bool> answers;
  for (ImageId id = 1; id <= 3; ++id) {
    local.submit(GetImage{0, id, false}, [&answers](std::optional<Message> reply) { answers.push_back(reply.has_value()); });
  }
  context.run_for(milliseconds(test_deadline_ms / 2));
  CHECK(answers == std::vector<bool>{false});  // The third, refused at once; the first two still wait.
  CHECK(local.pending_count() == 2);
}

}  // namespace edgecache::net
