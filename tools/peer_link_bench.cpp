// edgecache-peer-link-bench: what authentication costs a peer link, per frame, on this machine's CPU.
//
// For a heartbeat and for image replies of 4 KiB, 32 KiB and 256 KiB it times the work both ends of a link do
// per frame, without sockets: the sender builds the frame (make_message_frame), the receiver parses its
// header and decodes its payload (which checks the checksum). The authenticated column adds what a keyed link
// does on top: the dialer signs the frame (FrameMacs::sign) and the acceptor verifies it (FrameMacs::verify).
// Prints frames/s and MiB/s of payload for both, and the ratio. The socket work, the same in both columns, is
// left out, so the ratio is the worst case: a real link, which also copies the bytes through the kernel,
// loses a smaller share. A benchmark, not a test: it exits 0 once it has printed its figures.
//
// Usage: edgecache-peer-link-bench [SECONDS_PER_CASE]   (default 1; at most 60)

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "core/image_bytes.h"
#include "core/messages.h"
#include "net/frame.h"
#include "net/peer_auth.h"

namespace {

using namespace edgecache;
using namespace edgecache::net;
using Clock = std::chrono::steady_clock;

constexpr int max_seconds_per_case = 60;

struct Case {
  const char* name;
  Message message;
  std::size_t payload_bytes;
};

Message image_reply_of(std::size_t size_bytes) {
  std::vector<std::uint8_t> bytes(size_bytes);
  for (std::size_t index = 0; index < bytes.size(); ++index) bytes[index] = static_cast<std::uint8_t>(index * 131 + 7);
  auto body = std::make_shared<const ImageBytes>(std::move(bytes));
  return ImageReply{.request_id = 1, .image_id = 5, .status = Status::ok, .checksum = body->checksum(), .body = body};
}

// One frame sent and received: built, optionally signed, parsed, optionally verified, decoded.
void one_frame(const Message& message, std::uint64_t lamport, FrameMacs* signer, FrameMacs* verifier) {
  OutgoingFrame frame = make_message_frame(message, lamport);
  if (signer != nullptr) frame.mac = signer->sign(frame.header, frame.payload);
  const auto header = parse_frame_header(frame.header);
  EC_ASSERT(std::holds_alternative<FrameHeader>(header), "the benchmark's frames parse");
  if (verifier != nullptr) {
    EC_ASSERT(verifier->verify(frame.header, frame.payload, *frame.mac), "the benchmark's MACs verify");
  }
  const auto content = decode_frame_payload(std::get<FrameHeader>(header), frame.payload);
  EC_ASSERT(std::holds_alternative<FrameContent>(content), "the benchmark's frames decode");
}

// Frames per second over `seconds` of repeated one_frame calls.
double frames_per_second(const Message& message, double seconds, FrameMacs* signer, FrameMacs* verifier) {
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::duration<double>(seconds);
  std::uint64_t frames = 0;
  auto now = started;
  while (now < deadline) {
    // Checking the clock every 64 frames keeps its cost out of the small frames' figure.
    for (int batch = 0; batch < 64; ++batch) one_frame(message, frames++, signer, verifier);
    now = Clock::now();
  }
  return static_cast<double>(frames) / std::chrono::duration<double>(now - started).count();
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 1;
  if (argc > 2 || (argc == 2 && ((seconds = std::atoi(argv[1])) < 1 || seconds > max_seconds_per_case))) {
    std::fprintf(stderr, "usage: edgecache-peer-link-bench [SECONDS_PER_CASE]  (1 to %d, default 1)\n",
                 max_seconds_per_case);
    return 2;
  }
  const ClusterKey key(std::vector<std::uint8_t>(32, 0x5a));
  const HandshakeTranscript transcript{.dialer = 1, .acceptor = 2, .dialer_nonce = random_nonce(),
                                       .acceptor_nonce = random_nonce()};
  const std::vector<Case> cases = {
      {"heartbeat", Heartbeat{.epoch = 7}, 0},
      {"image_reply 4 KiB", image_reply_of(4096), 4096},
      {"image_reply 32 KiB", image_reply_of(32768), 32768},
      {"image_reply 256 KiB", image_reply_of(262144), 262144},
  };
  std::printf("%-20s %14s %14s %12s %12s %8s\n", "frame", "plain frames/s", "auth frames/s", "plain MiB/s",
              "auth MiB/s", "auth/plain");
  for (const Case& test_case : cases) {
    // Each case gets a fresh pair, so sequences start at zero on both ends as on a new connection.
    FrameMacs signer(key, transcript);
    FrameMacs verifier(key, transcript);
    const double plain = frames_per_second(test_case.message, seconds, nullptr, nullptr);
    const double authenticated = frames_per_second(test_case.message, seconds, &signer, &verifier);
    const double mib = static_cast<double>(test_case.payload_bytes) / (1024.0 * 1024.0);
    std::printf("%-20s %14.0f %14.0f %12.1f %12.1f %8.2f\n", test_case.name, plain, authenticated, plain * mib,
                authenticated * mib, authenticated / plain);
  }
  return 0;
}
