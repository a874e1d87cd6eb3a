#pragma once
// The messages nodes exchange. Each is a plain value; one binary codec (core/codec.h) carries them over
// real sockets, while the simulator passes them as values. Image bodies are shared, never copied.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "core/image_bytes.h"
#include "core/types.h"

namespace edgecache {

// Asks for an image's bytes. Sent by clients to edges, by edges to the canonical (an origin fetch), and by
// edges to edges when replicating; `cache_only` tells an edge to answer from its cache and never to go to the
// origin (replication pulls must not multiply origin traffic).
struct GetImage {
  RequestId request_id = 0;
  ImageId image_id = 0;
  bool cache_only = false;
};

// Answers GetImage. `body` is set iff status is ok; `checksum` is the sender's claim about the body, which the
// receiver verifies against the bytes before trusting them.
struct ImageReply {
  RequestId request_id = 0;
  ImageId image_id = 0;
  Status status = Status::ok;
  std::uint64_t checksum = 0;
  Body body;
};

// Asks for an image's size in bytes (the original system's get_image_size).
struct GetSize {
  RequestId request_id = 0;
  ImageId image_id = 0;
};

// Answers GetSize; `size_bytes` is meaningful iff status is ok.
struct SizeReply {
  RequestId request_id = 0;
  ImageId image_id = 0;
  Status status = Status::ok;
  std::uint64_t size_bytes = 0;
};

// Bully election: sent to every higher id; a live higher node replies Answer and runs its own election.
struct Election {
  Epoch epoch = 0;
};
struct Answer {
  Epoch epoch = 0;
};
// Announces the sender as leader for `epoch` to every other edge.
struct Coordinator {
  Epoch epoch = 0;
};
// The leader's periodic proof of life to every other edge.
struct Heartbeat {
  Epoch epoch = 0;
};
// A follower's reply to a heartbeat, which tells the leader who is live.
struct HeartbeatAck {
  Epoch epoch = 0;
};
// The leader asks a follower for its whole inventory (on election, on a follower rejoining, periodically).
struct InventoryRequest {
  Epoch epoch = 0;
};
// Tells the leader which images the sender holds. `complete` means the list is the whole inventory (it
// replaces what the leader knew); otherwise the images were just added (a fresh origin fetch or a finished
// pull) and `from_origin` says whether they came from the canonical. `free_bytes` is the room left in the
// sender's cache, so the leader orders only replicas that can fit (replicas never evict).
struct Holding {
  Epoch epoch = 0;
  bool complete = false;
  bool from_origin = false;
  std::vector<ImageId> image_ids;
  std::uint64_t free_bytes = unknown_free_bytes;

  static constexpr std::uint64_t unknown_free_bytes = UINT64_MAX;
};
// The leader tells a follower to pull `image_id` from edge `source` with a cache-only GetImage.
struct PullOrder {
  Epoch epoch = 0;
  ImageId image_id = 0;
  NodeId source = 0;
};

using Message = std::variant<GetImage, ImageReply, GetSize, SizeReply, Election, Answer, Coordinator, Heartbeat,
                             HeartbeatAck, InventoryRequest, Holding, PullOrder>;

// The wire tag of each message kind, in variant order. Values are part of the wire format: never reuse one.
enum class MessageKind : std::uint8_t {
  get_image = 0,
  image_reply = 1,
  get_size = 2,
  size_reply = 3,
  election = 4,
  answer = 5,
  coordinator = 6,
  heartbeat = 7,
  heartbeat_ack = 8,
  inventory_request = 9,
  holding = 10,
  pull_order = 11,
};
constexpr std::size_t message_kind_count = 12;
static_assert(std::variant_size_v<Message> == message_kind_count);

inline MessageKind kind_of(const Message& message) { return static_cast<MessageKind>(message.index()); }

// Returns the snake_case name of `kind` ("get_image", "heartbeat", ...), used in traces and logs.
std::string_view message_kind_name(MessageKind kind);

// Largest number of image ids one Holding may carry; larger inventories are sent in several messages.
constexpr std::size_t max_holding_images = 65536;

}  // namespace edgecache
