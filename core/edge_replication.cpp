// Edge: replication, as in the original system: an edge that caches a new image tells the leader, and the
// leader has every other edge pull a copy from it. The standard protocol adds what the original lacked:
// followers send their whole inventory to each new leader, the leader reconciles each follower against its
// own cache (pulling what it lacks itself, ordering the follower to pull what the follower lacks), and it
// repeats that every anti_entropy_interval_ms, so a leader crash in the middle of replication, a lost
// message or a restarted follower leaves no permanent gap.

#include <algorithm>

#include "core/assert.h"
#include "core/edge.h"

namespace edgecache {

bool Edge::holds(NodeId member, ImageId image_id) const {
  if (member == env_.self()) return cache_.contains(image_id);
  auto known = holdings_.find(member);
  return known != holdings_.end() && std::ranges::binary_search(known->second, image_id);
}

std::vector<NodeId> Edge::live_followers() const {
  if (config_.protocol == Protocol::classic) return other_edges();  // The original knows of no liveness.
  std::vector<NodeId> live;
  const TimeUs now = env_.now_us();
  for (const auto& [follower, last_ack_us] : follower_last_ack_us_) {
    if (ack_recent(last_ack_us, now)) live.push_back(follower);
  }
  return live;
}

bool Edge::pull_source_usable(NodeId source) const {
  // Only the leader knows which edges are alive (from heartbeat acknowledgements); a follower trusts the
  // leader's orders. A pull from an edge that stopped acknowledging would only wait out its timeouts, and
  // the pulls queued behind it with it, so it is dropped: once the source is back, or another edge has
  // the image, anti-entropy orders it again (scenarios/regressions/leader_pulls_from_crashed_follower.json).
  if (role_ != Role::leader || config_.protocol == Protocol::classic) return true;
  auto last_ack = follower_last_ack_us_.find(source);
  return last_ack != follower_last_ack_us_.end() && ack_recent(last_ack->second, env_.now_us());
}

void Edge::follower_seen(NodeId follower) {
  auto [entry, first_time] = follower_last_ack_us_.try_emplace(follower, env_.now_us());
  bool was_stale = !first_time && !ack_recent(entry->second, env_.now_us());
  entry->second = env_.now_us();
  // A follower that went quiet and came back may have lost or gained images meanwhile. (One seen for the
  // first time in this term has already pushed its inventory on accepting us.)
  if (was_stale) env_.send(follower, InventoryRequest{epoch_});
}

void Edge::announce(const std::vector<ImageId>& image_ids, bool from_origin) {
  if (role_ == Role::leader) {
    if (!from_origin && config_.protocol == Protocol::classic) return;
    for (ImageId image_id : image_ids) order_pulls(image_id, env_.self());
    return;
  }
  if (!leader_) return;  // The next leader learns of it from our inventory.
  if (!from_origin && config_.protocol == Protocol::classic) return;
  env_.send(*leader_, Holding{epoch_, false, from_origin, image_ids, free_bytes()});
}

void Edge::order_pulls(ImageId image_id, NodeId source) {
  EC_ASSERT(role_ == Role::leader, "only the leader orders pulls");
  if (source != env_.self() && !holds(env_.self(), image_id)) enqueue_pull(image_id, source);
  for (NodeId follower : live_followers()) {
    if (follower != source && !holds(follower, image_id)) order_pull(follower, image_id, source);
  }
}

bool Edge::order_pull(NodeId follower, ImageId image_id, NodeId source) {
  // The size is known if the leader holds the image or has seen it; an unknown size is ordered anyway and
  // the follower declines it if it does not fit.
  std::uint64_t size_bytes = 0;
  if (Body body = cache_.peek(image_id)) {
    size_bytes = body->size();
  } else if (const std::uint64_t* known = known_sizes_.find(image_id)) {
    size_bytes = *known;
  }
  auto free = follower_free_bytes_.try_emplace(follower, Holding::unknown_free_bytes).first;
  if (size_bytes > free->second) return false;
  free->second -= size_bytes;
  ++counters_.pull_orders_sent;
  env_.send(follower, PullOrder{epoch_, image_id, source});
  return true;
}

void Edge::on_holding(NodeId from, const Holding& message) {
  observe_epoch(message.epoch);
  if (role_ != Role::leader || message.epoch != epoch_ || !is_edge(from) || from == env_.self()) return;
  std::vector<ImageId>& held = holdings_[from];
  follower_free_bytes_[from] = message.free_bytes;
  if (message.complete && std::ranges::is_sorted(message.image_ids)) {
    // The usual case: an inventory arrives sorted. A peer's input is not trusted to be free of repeats.
    held = message.image_ids;
    held.erase(std::unique(held.begin(), held.end()), held.end());
  } else {
    if (message.complete) held.clear();
    for (ImageId image_id : message.image_ids) {
      auto position = std::ranges::lower_bound(held, image_id);
      if (position == held.end() || *position != image_id) held.insert(position, image_id);
    }
  }
  if (config_.protocol == Protocol::standard) {
    follower_seen(from);
    if (message.complete) {
      reconcile_follower(from, held);
      return;
    }
  }
  if (message.from_origin) {
    for (ImageId image_id : message.image_ids) order_pulls(image_id, from);
  }
}

void Edge::reconcile_follower(NodeId follower, const std::vector<ImageId>& theirs) {
  // The leader is the hub: it pulls what only the follower has, and the follower pulls what only the leader
  // has. Images that only a third edge holds reach the follower once the leader has them. Both lists are
  // sorted, so one merge walk finds the differences (this runs for every follower every anti-entropy round).
  std::vector<ImageId> ours = cache_.ids();
  auto mine = ours.begin();
  auto their = theirs.begin();
  while (mine != ours.end() || their != theirs.end()) {
    if (their == theirs.end() || (mine != ours.end() && *mine < *their)) {
      order_pull(follower, *mine++, env_.self());
    } else if (mine == ours.end() || *their < *mine) {
      enqueue_pull(*their++, follower);
    } else {
      ++mine;
      ++their;
    }
  }
}

void Edge::on_inventory_request(NodeId from, const InventoryRequest& message) {
  observe_epoch(message.epoch);
  // Orders are obeyed only from the leader this edge follows; a stale epoch from it is merely out of date.
  if (leader_ != from) {
    ++counters_.orders_from_non_leader;
    return;
  }
  if (message.epoch == epoch_ && role_ == Role::follower) send_inventory(from);
}

void Edge::send_inventory(NodeId to) {
  std::vector<ImageId> ids = cache_.ids();
  // Chunked so no message exceeds the frame limit; only the first chunk replaces the leader's view.
  std::size_t offset = 0;
  do {
    std::size_t count = std::min(max_holding_images, ids.size() - offset);
    std::vector<ImageId> chunk(ids.begin() + static_cast<std::ptrdiff_t>(offset),
                               ids.begin() + static_cast<std::ptrdiff_t>(offset + count));
    env_.send(to, Holding{epoch_, offset == 0, false, std::move(chunk), free_bytes()});
    offset += count;
  } while (offset < ids.size());
}

void Edge::on_pull_order(NodeId from, const PullOrder& message) {
  observe_epoch(message.epoch);
  if (leader_ != from) {
    ++counters_.orders_from_non_leader;  // As for InventoryRequest.
    return;
  }
  if (message.epoch != epoch_ || role_ != Role::follower) return;
  if (message.source == env_.self() || !is_edge(message.source)) return;
  if (cache_.contains(message.image_id)) {
    // The leader's view is out of date; correct it so it stops ordering this pull.
    if (config_.protocol == Protocol::standard) {
      env_.send(from, Holding{epoch_, false, false, {message.image_id}, free_bytes()});
    }
    return;
  }
  enqueue_pull(message.image_id, message.source);
}

void Edge::enqueue_pull(ImageId image_id, NodeId source, std::uint32_t attempt) {
  // A later order for the same image names the source to use from now on: the one first ordered may have
  // crashed, or been named by a leader that did.
  if (Pull* active = active_pulls_.find(image_id)) {
    active->retry_source = source;
    return;
  }
  if (NodeId* queued = queued_pull_sources_.find(image_id)) {
    *queued = source;
    return;
  }
  // A replica is stored only into free space, so skip an image already known not to fit.
  if (const std::uint64_t* known = known_sizes_.find(image_id); known != nullptr && *known > free_bytes()) {
    return;
  }
  if (queued_pulls_.size() >= config_.max_queued_pulls) return;  // Anti-entropy will order it again.
  queued_pulls_.push_back(QueuedPull{image_id, attempt});
  queued_pull_sources_[image_id] = source;
  start_queued_pulls();
}

void Edge::start_queued_pulls() {
  while (active_pulls_.size() < config_.max_active_pulls && !queued_pulls_.empty()) {
    QueuedPull next = queued_pulls_.front();
    queued_pulls_.pop_front();
    const std::optional<NodeId> queued = queued_pull_sources_.take(next.image_id);
    if (!queued) continue;  // Dropped when the leader changed.
    const NodeId source = *queued;
    if (cache_.contains(next.image_id) || active_pulls_.contains(next.image_id)) continue;
    if (!pull_source_usable(source)) continue;
    Pull& pull = active_pulls_[next.image_id];
    pull.request_id = next_request_id_++;
    pull.source = source;
    pull.retry_source = source;
    pull.attempt = next.attempt;
    pull.timer = env_.start_timer(ms_to_us(config_.pull_timeout_ms), {TimerKind::pull_timeout, next.image_id});
    pull_requests_[pull.request_id] = next.image_id;
    env_.send(source, GetImage{pull.request_id, next.image_id, true});
  }
}

void Edge::finish_pull(ImageId image_id, const ImageReply* reply) {
  const std::optional<Pull> taken = active_pulls_.take(image_id);
  EC_ASSERT(taken.has_value(), "finishing a pull that is not in flight");
  const Pull& pull = *taken;
  env_.cancel_timer(pull.timer);
  pull_requests_.erase(pull.request_id);
  if (reply == nullptr && config_.protocol == Protocol::standard && pull.retry_source != pull.source) {
    enqueue_pull(image_id, pull.retry_source);  // A fresh source gets a fresh count of attempts.
  } else if (reply == nullptr && pull.attempt < max_pull_attempts && config_.protocol == Protocol::standard &&
             pull_source_usable(pull.source)) {
    enqueue_pull(image_id, pull.source, pull.attempt + 1);
  } else if (reply != nullptr && reply->status == Status::ok && reply->body) {
    if (reply->body->checksum() != reply->checksum) {
      ++counters_.checksum_failures;
    } else {
      remember_size(image_id, reply->body->size());
      if (store(image_id, reply->body, true)) {
        ++counters_.replicas_received;
        announce({image_id}, false);
      }
    }
  }
  start_queued_pulls();
}

}  // namespace edgecache
