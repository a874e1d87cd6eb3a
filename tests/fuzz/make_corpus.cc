// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/TARGET/) from real data, made by the
// project's own writers so the seeds stay valid as the formats change: core's encoder for one message of
// every kind, net/'s frame builders for a peer link's handshakes and messages, the RPC and HTTP requests
// the clients send, the scenario files, and node traces recorded by real core nodes on the tests' recorded
// cluster (the stand-in for daemons in the node trace tests). Simulator traces come from `sim` runs, which
// tools/fuzz makes itself.
//
// Usage: fuzz_make_corpus SOURCE_DIR CORPUS_DIR. Overwrites the seeds it makes, leaves every other file of
// the corpora alone (inputs a fuzzing run found and merged stay), and prints how many seeds it wrote per target.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/codec.h"
#include "net/frame.h"
#include "net/rpc_protocol.h"
#include "tests/sim/recorded_cluster.h"

namespace {

using namespace edgecache;
namespace fs = std::filesystem;

// A seed larger than this slows every execution that starts from it; libFuzzer's own inputs stay far below.
constexpr std::size_t max_seed_bytes = 64 * 1024;

class CorpusWriter {
 public:
  explicit CorpusWriter(fs::path root) : root_(std::move(root)) {}

  // Writes `bytes` as corpus/TARGET/NAME unless a seed is over max_seed_bytes, which is a mistake here.
  void write(const std::string& target, const std::string& name, const std::string& bytes) {
    if (bytes.size() > max_seed_bytes) {
      std::fprintf(stderr, "make_corpus: %s/%s has %zu bytes, over the %zu-byte limit\n", target.c_str(), name.c_str(),
                   bytes.size(), max_seed_bytes);
      std::exit(1);
    }
    fs::create_directories(root_ / target);
    std::ofstream(root_ / target / name, std::ios::binary) << bytes;
    ++written_[target];
  }
  void write(const std::string& target, const std::string& name, const std::vector<std::uint8_t>& bytes) {
    write(target, name, std::string(bytes.begin(), bytes.end()));
  }

  void report() const {
    for (const auto& [target, count] : written_) std::printf("%-11s %zu seeds\n", target.c_str(), count);
  }

 private:
  fs::path root_;
  std::map<std::string, std::size_t> written_;
};

Body sample_body(std::size_t size_bytes) {
  // A PNG signature first, so the body also looks like the images the daemons serve.
  std::vector<std::uint8_t> bytes = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};
  for (std::size_t index = bytes.size(); index < size_bytes; ++index) bytes.push_back(static_cast<std::uint8_t>(index * 7));
  return make_body(std::move(bytes));
}

// One message of every kind, with the fields a running cluster puts in them.
std::vector<Message> sample_messages() {
  const Body body = sample_body(300);
  return {GetImage{17, 123, false},
          GetImage{18, 456, true},
          ImageReply{17, 123, Status::ok, body->checksum(), body},
          ImageReply{19, 9, Status::not_found, 0, nullptr},
          GetSize{20, 123},
          SizeReply{20, 123, Status::ok, 300},
          Election{4},
          Answer{4},
          Coordinator{5},
          Heartbeat{5},
          HeartbeatAck{5},
          InventoryRequest{5},
          Holding{5, true, false, {1, 2, 3, 123, 456}, 1 << 20},
          Holding{6, false, true, {789}, Holding::unknown_free_bytes},
          PullOrder{5, 123, 2}};
}

std::string frame_bytes(const net::OutgoingFrame& frame) {
  std::string bytes(frame.header.begin(), frame.header.end());
  bytes.append(frame.payload.begin(), frame.payload.end());
  return bytes;
}

// Numbered, so two messages of one kind get two files: "03_image_reply.bin".
std::string seed_name(std::size_t index, const Message& message) {
  const std::string number = (index < 10 ? "0" : "") + std::to_string(index);
  return number + "_" + std::string(message_kind_name(kind_of(message))) + ".bin";
}

void write_codec_and_frames(CorpusWriter& corpus) {
  const std::vector<Message> messages = sample_messages();
  // The frame target's first byte picks raw mode (even) or checksum-repairing mode (odd); see frame_fuzz.cc.
  std::string insecure_link(1, '\0');
  insecure_link += frame_bytes(net::make_hello_frame(2));
  std::uint64_t lamport = 0;
  for (std::size_t index = 0; index < messages.size(); ++index) {
    corpus.write("codec", seed_name(index, messages[index]), encode(messages[index]));
    const std::string frame = frame_bytes(net::make_message_frame(messages[index], ++lamport));
    corpus.write("frame", seed_name(index, messages[index]), std::string(1, '\1') + frame);
    insecure_link += frame;
  }
  insecure_link += frame_bytes(net::make_keepalive_frame());
  corpus.write("frame", "insecure_link.bin", insecure_link);
  // An authenticated link's handshake as the frames carry it (the MACs that follow frames on such a link are
  // the link's business, not the frame parser's).
  net::AuthHello hello{2, 3, {}};
  net::AuthChallenge challenge{3, {}, {}};
  net::AuthProof proof;
  for (std::size_t index = 0; index < net::auth_nonce_bytes; ++index) {
    hello.nonce[index] = static_cast<std::uint8_t>(index + 1);
    challenge.nonce[index] = static_cast<std::uint8_t>(2 * index + 1);
    challenge.proof[index] = static_cast<std::uint8_t>(3 * index + 1);
    proof.proof[index] = static_cast<std::uint8_t>(5 * index + 1);
  }
  corpus.write("frame", "auth_handshake.bin",
               std::string(1, '\0') + frame_bytes(net::make_auth_hello_frame(hello)) +
                   frame_bytes(net::make_auth_challenge_frame(challenge)) + frame_bytes(net::make_auth_proof_frame(proof)) +
                   frame_bytes(net::make_message_frame(Heartbeat{7}, 9)));
}

// The request bodies the original clients send (net/client/image_fetcher.cpp, tests/docker/seed_rpc.sh),
// and the near misses a parser must refuse.
void write_rpc_requests(CorpusWriter& corpus) {
  const std::vector<std::pair<std::string, nlohmann::json>> requests = {
      {"get_image.json", {{"function", "get_image"}, {"args", {123}}, {"clock", 0}}},
      {"get_image_size.json", {{"function", "get_image_size"}, {"args", {456}}, {"clock", 0}}},
      {"string_id.json", {{"function", "get_image"}, {"args", {"18446744073709551615"}}}},
      {"negative_id.json", {{"function", "get_image"}, {"args", {-1}}, {"clock", 3}}},
      {"unknown_function.json", {{"function", "put_image"}, {"args", {1}}}},
      {"two_args.json", {{"function", "get_image"}, {"args", {1, 2}}}},
  };
  for (const auto& [name, request] : requests) corpus.write("rpc", name, request.dump());
}

// Connections' first bytes: HTTP requests of every route the daemons serve, and an original RPC request,
// length prefix included, which the sniffer must tell apart from HTTP.
void write_connection_openings(CorpusWriter& corpus) {
  const std::vector<std::pair<std::string, std::string>> openings = {
      {"get_image.txt", "GET /images/123 HTTP/1.1\r\nHost: localhost:8001\r\n\r\n"},
      {"head_image.txt", "HEAD /images/18446744073709551615 HTTP/1.1\r\nHost: edge-1\r\n\r\n"},
      {"if_none_match.txt", "GET /images/0 HTTP/1.1\r\nIf-None-Match: W/\"0123456789abcdef\", *\r\n\r\n"},
      {"status.txt", "GET /status HTTP/1.1\r\nHost: localhost:8001\r\n\r\n"},
      {"metrics.txt", "GET /metrics HTTP/1.1\r\n\r\n"},
      {"leading_zero.txt", "GET /images/0123 HTTP/1.1\r\n\r\n"},
      {"percent_encoded.txt", "GET /images/%31 HTTP/1.1\r\n\r\n"},
  };
  for (const auto& [name, text] : openings) corpus.write("sniff_http", name, text);
  const std::string body = nlohmann::json{{"function", "get_image"}, {"args", {123}}, {"clock", 0}}.dump();
  std::string rpc;
  net::append_le64(rpc, body.size());
  corpus.write("sniff_http", "rpc_request.bin", rpc + body);
}

void write_scenarios(CorpusWriter& corpus, const fs::path& source_dir) {
  for (const auto& entry : fs::recursive_directory_iterator(source_dir / "scenarios")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const std::string relative = fs::relative(entry.path(), source_dir / "scenarios").generic_string();
    std::string name = relative;
    for (char& c : name) c = c == '/' ? '-' : c;
    corpus.write("scenario", name, text);
  }
}

// Node traces as daemons write them: a healthy three-edge run with local requests, and a run in which an
// edge crashes and comes back with its disk cache (a trace without a summary, and a header with preloaded
// images). Short runs, so every trace stays a small seed.
void write_node_traces(CorpusWriter& corpus) {
  using sim::testing::RecordedCluster;
  RecordedCluster healthy({1, 2, 3}, 4, {{0, 2000}, {1, 5000}, {2, 300}});
  healthy.start();
  for (int i = 0; i < 6; ++i) healthy.request_image(100'000 + i * 40'000, static_cast<NodeId>(1 + i % 3), static_cast<ImageId>(i % 3));
  healthy.run_until(500'000);
  healthy.shut_down();
  for (NodeId id : {1, 2, 3, 4}) corpus.write("node_trace", "healthy-" + healthy.name(id) + ".jsonl", healthy.traces_of(id).at(0));
  corpus.write("node_trace", "healthy-client-1.jsonl", healthy.client_trace());
  // A daemon killed mid-write leaves half a last line, which the reader drops.
  const std::string whole = healthy.traces_of(4).at(0);
  const std::size_t last_line = whole.rfind('\n', whole.size() - 2);
  corpus.write("node_trace", "cut-canonical.jsonl", whole.substr(0, last_line + (whole.size() - last_line) / 2));

  RecordedCluster restarted({1, 2}, 3, {{0, 2000}, {1, 700}});
  restarted.start();
  restarted.request_image(100'000, 1, 0);
  restarted.request_image(150'000, 2, 1);
  restarted.crash_at(250'000, 2, /*keep_cache=*/true);
  restarted.restart_at(300'000, 2);
  restarted.request_image(400'000, 2, 0);
  restarted.run_until(600'000);
  restarted.shut_down();
  const std::vector<std::string> edge_2 = restarted.traces_of(2);
  for (std::size_t index = 0; index < edge_2.size(); ++index) {
    corpus.write("node_trace", "restart-edge-2." + std::to_string(index + 1) + ".jsonl", edge_2[index]);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_make_corpus SOURCE_DIR CORPUS_DIR\n");
    return 2;
  }
  CorpusWriter corpus{fs::path(argv[2])};
  write_codec_and_frames(corpus);
  write_rpc_requests(corpus);
  write_connection_openings(corpus);
  write_scenarios(corpus, fs::path(argv[1]));
  write_node_traces(corpus);
  corpus.report();
  return 0;
}
