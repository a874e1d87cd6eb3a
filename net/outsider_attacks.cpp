#include "net/outsider_attacks.h"

#include <algorithm>

#include "core/image_bytes.h"
#include "net/frame.h"

namespace edgecache::net {

namespace {

std::string bytes_of(const OutgoingFrame& frame) {
  std::string bytes(frame.header.begin(), frame.header.end());
  bytes.append(frame.payload.begin(), frame.payload.end());
  if (frame.mac) bytes.append(frame.mac->begin(), frame.mac->end());
  return bytes;
}

// What an outsider would send once it believed itself connected: with a made-up MAC each after an
// authenticated hello, bare after a plain one (as a node without a key would accept them).
std::string forged_messages(bool with_macs) {
  const Body fake = make_body(std::vector<std::uint8_t>(6000, 0x42));
  const std::vector<Message> messages = {
      Coordinator{UINT64_MAX},
      PullOrder{UINT64_MAX, 1, 2},
      ImageReply{1, 1, Status::ok, fake->checksum(), fake},
      ImageReply{0, 2, Status::ok, fake->checksum(), fake},
      Holding{UINT64_MAX, true, false, {1, 2, 3, 4, 5}, Holding::unknown_free_bytes},
      InventoryRequest{UINT64_MAX},
  };
  std::string bytes;
  for (const Message& message : messages) {
    OutgoingFrame frame = make_message_frame(message, 1);
    if (with_macs) {
      frame.mac = AuthMac{};
      frame.mac->fill(0x5A);
    }
    bytes += bytes_of(frame);
  }
  return bytes;
}

}  // namespace

std::vector<OutsiderAttack> outsider_attacks(NodeId target, const std::vector<NodeId>& claimed_ids,
                                             const std::vector<NodeId>& configured_ids) {
  const std::string forged = forged_messages(true);
  const std::string bare = forged_messages(false);
  std::vector<OutsiderAttack> attacks;
  for (NodeId claimed : claimed_ids) {
    const std::string as = " as node " + std::to_string(claimed);
    const bool configured = claimed != target && std::find(configured_ids.begin(), configured_ids.end(), claimed) !=
                                                     configured_ids.end();
    const std::string auth_hello = bytes_of(make_auth_hello_frame(AuthHello{claimed, target, random_nonce()}));
    attacks.push_back({"plain hello" + as + ", then forged messages", bytes_of(make_hello_frame(claimed)) + bare, false});
    attacks.push_back({"authenticated hello" + as + ", a made-up proof, then forged messages",
                       auth_hello + bytes_of(make_auth_proof_frame(AuthProof{})) + forged, configured});
    attacks.push_back({"authenticated hello" + as + ", then forged messages without a proof", auth_hello + forged, configured});
    attacks.push_back({"authenticated hello" + as + " meant for another node",
                       bytes_of(make_auth_hello_frame(AuthHello{claimed, target + 1, random_nonce()})), false});
  }
  attacks.push_back({"forged messages with no hello at all", bare, false});
  return attacks;
}

std::optional<std::string> judge_outsider_reply(const OutsiderAttack& attack, NodeId target, const std::string& reply) {
  if (!attack.challenge_expected) {
    if (reply.empty()) return std::nullopt;
    return "expected the connection closed without a byte, got " + std::to_string(reply.size()) + " bytes";
  }
  if (reply.size() != frame_header_bytes + auth_challenge_payload_bytes) {
    return "expected one challenge frame, got " + std::to_string(reply.size()) + " bytes";
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(reply.data());
  const auto header = parse_frame_header(std::span<const std::uint8_t, frame_header_bytes>(bytes, frame_header_bytes));
  const auto* parsed = std::get_if<FrameHeader>(&header);
  if (parsed == nullptr || parsed->kind != FrameKind::auth_challenge) return "the reply is not a challenge frame";
  const auto content = decode_frame_payload(*parsed, std::span<const std::uint8_t>(bytes + frame_header_bytes, auth_challenge_payload_bytes));
  const auto* frame = std::get_if<FrameContent>(&content);
  const auto* challenge = frame != nullptr ? std::get_if<AuthChallenge>(frame) : nullptr;
  if (challenge == nullptr) return "the challenge does not decode";
  if (challenge->acceptor != target) return "the challenge names node " + std::to_string(challenge->acceptor);
  return std::nullopt;
}

}  // namespace edgecache::net
