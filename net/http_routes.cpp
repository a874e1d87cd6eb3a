#include "net/http_routes.h"

#include <limits>

#include "core/hex.h"
#include "core/parse_number.h"
#include "net/limits.h"

namespace edgecache::net {

namespace {

// A year, the longest max-age caches are asked to honour; image bytes never change under an id.
constexpr std::string_view immutable_cache_control = "public, max-age=31536000, immutable";

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<ImageId> parse_image_id(std::string_view digits) {
  if (digits.size() > max_image_id_digits) return std::nullopt;
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  return parse_decimal(digits);
}

ImageTarget parse_image_target(std::string_view target) {
  if (target.substr(0, image_path_prefix.size()) != image_path_prefix) return NotAnImagePath{};
  if (std::optional<ImageId> id = parse_image_id(target.substr(image_path_prefix.size()))) return *id;
  return MalformedImageId{};
}

std::string_view content_type_of(std::span<const std::uint8_t> bytes) {
  auto starts_with = [&](std::initializer_list<std::uint8_t> magic, std::size_t offset = 0) {
    if (bytes.size() < offset + magic.size()) return false;
    std::size_t index = offset;
    for (std::uint8_t expected : magic) {
      if (bytes[index++] != expected) return false;
    }
    return true;
  };
  if (starts_with({0xFF, 0xD8})) return "image/jpeg";
  if (starts_with({0x89, 0x50, 0x4E, 0x47})) return "image/png";
  if (starts_with({0x47, 0x49, 0x46})) return "image/gif";
  if (starts_with({'R', 'I', 'F', 'F'}) && starts_with({'W', 'E', 'B', 'P'}, 8)) return "image/webp";
  return "application/octet-stream";
}

std::string etag_of(std::uint64_t checksum) { return "\"" + hex64(checksum) + "\""; }

bool if_none_match_matches(std::string_view header, std::string_view etag) {
  // If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

HttpResponse text_response(unsigned status, std::string text) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  response.text = std::move(text);
  return response;
}

HttpResponse image_response(const HttpRequest& request, const Body& body) {
  HttpResponse response;
  const std::string etag = etag_of(body->checksum());
  response.headers.emplace_back("ETag", etag);
  response.headers.emplace_back("Cache-Control", std::string(immutable_cache_control));
  if (!request.if_none_match.empty() && if_none_match_matches(request.if_none_match, etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.headers.emplace_back("Content-Type", std::string(content_type_of(body->bytes())));
  response.image = body;
  return response;
}

HttpResponse size_response(std::uint64_t size_bytes) {
  HttpResponse response;
  response.status = 200;
  response.headers.emplace_back("Cache-Control", std::string(immutable_cache_control));
  response.head_content_length = size_bytes;
  return response;
}

HttpResponse status_error_response(Status status) {
  if (status == Status::not_found) return text_response(404, "image not found\n");
  return text_response(503, "image unavailable, try again\n");
}

void append_metric(std::string& text, std::string_view name, std::string_view type, std::string_view help,
                   std::uint64_t value) {
  text += "# HELP edgecache_" + std::string(name) + " " + std::string(help) + "\n";
  text += "# TYPE edgecache_" + std::string(name) + " " + std::string(type) + "\n";
  text += "edgecache_" + std::string(name) + " " + std::to_string(value) + "\n";
}

std::string peer_link_metrics(const PeerLinkCounters& counters, bool authenticated) {
  std::string text;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help, std::uint64_t value) {
    append_metric(text, name, type, help, value);
  };
  metric("peer_links_authenticated", "gauge", "1 if peer links need the cluster key, 0 under --insecure-peers.",
         authenticated ? 1 : 0);
  metric("peer_frames_sent_total", "counter", "Frames written to peers.", counters.frames_sent);
  metric("peer_frames_received_total", "counter", "Message frames received from peers.", counters.frames_received);
  metric("peer_sends_dropped_total", "counter", "Messages dropped because the peer was down, unknown or its queue full.",
         counters.dropped_peer_down + counters.dropped_queue_full + counters.dropped_unknown_peer);
  metric("peer_protocol_errors_total", "counter", "Peer connections closed for malformed input.", counters.protocol_errors);
  metric("peer_auth_refused_total", "counter",
         "Peer connections refused for a failed handshake or a frame whose MAC did not verify.", counters.auth_refused);
  metric("peer_unknown_id_refused_total", "counter", "Peer connections refused for claiming an unconfigured id.",
         counters.unknown_peer_refused);
  metric("peer_duplicate_id_refused_total", "counter",
         "Unauthenticated peer connections refused for claiming the id of a live link.", counters.duplicate_peer_refused);
  metric("peer_outbound_auth_failed_total", "counter", "Dialled peers that failed to prove they hold the cluster key.",
         counters.outbound_auth_failed);
  metric("peer_links_replaced_total", "counter", "Inbound links replaced by a newer authenticated link from the same peer.",
         counters.inbound_replaced);
  metric("peer_handshakes_evicted_total", "counter", "Connections still in their handshake closed to make room.",
         counters.handshakes_evicted);
  metric("peer_inbound_rejected_total", "counter", "Peer connections refused because no slot could be freed.",
         counters.inbound_rejected);
  return text;
}

namespace {

void append_disk_metrics(std::string& text, const DiskCacheStatus& disk) {
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help, std::uint64_t value) {
    append_metric(text, name, type, help, value);
  };
  const DiskMirrorCounters& counters = disk.counters;
  metric("disk_degraded", "gauge", "1 while a failed write keeps the disk cache from writing (probes only), else 0.",
         disk.degraded ? 1 : 0);
  metric("disk_degraded_no_space", "gauge", "1 while the disk cache is degraded because the disk is full, else 0.",
         disk.degraded && disk.degraded_reason == storage_error_name(StorageError::no_space) ? 1 : 0);
  metric("disk_pending_writes", "gauge", "Writes of cached images not yet durable.", disk.pending_writes);
  metric("disk_queued_writes", "gauge", "Writes the background writer holds, also those of images since evicted.",
         disk.queued_writes);
  metric("disk_files", "gauge", "Durable files holding cached images.", disk.files);
  metric("disk_images_loaded", "gauge", "Images read back from disk at start-up.", counters.loaded);
  metric("disk_writes_total", "counter", "Image files written durably.", counters.written);
  metric("disk_write_failures_total", "counter", "Image file writes that failed.", counters.write_failures);
  metric("disk_writes_skipped_total", "counter",
         "Cached images not written: degraded, or too many writes waiting.", counters.writes_skipped);
  metric("disk_files_removed_total", "counter", "Image files removed because their image left the cache.",
         counters.removed);
  metric("disk_files_dropped_corrupt_total", "counter", "Files removed at start-up for a bad name, size or checksum.",
         counters.dropped_corrupt);
  metric("disk_files_dropped_over_budget_total", "counter", "Files removed at start-up because the budget had shrunk.",
         counters.dropped_over_budget);
  metric("disk_degraded_episodes_total", "counter", "Times the disk cache went from healthy to degraded.",
         counters.degraded_episodes);
  metric("body_file_responses_total", "counter", "HTTP image responses sent from the disk cache's file with sendfile.",
         disk.body_files.opened + disk.body_files.reused);
  metric("body_file_unusable_total", "counter",
         "Image files that could not be opened or had another size; those responses were copied from memory.",
         disk.body_files.unusable);
}

}  // namespace

std::string prometheus_metrics(const EdgeCounters& counters, const EdgeStatus& status, const DiskCacheStatus* disk) {
  std::string text;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help, std::uint64_t value) {
    append_metric(text, name, type, help, value);
  };
  metric("cache_hits_total", "counter", "Requests answered from the cache.", counters.hits);
  metric("cache_misses_total", "counter", "Requests the cache could not answer.", counters.misses);
  metric("coalesced_requests_total", "counter", "Requests that joined an origin fetch in flight.", counters.coalesced);
  metric("origin_fetches_total", "counter", "Image fetches sent to the canonical.", counters.origin_fetches);
  metric("size_queries_total", "counter", "Size queries sent to the canonical.", counters.size_queries);
  metric("checksum_failures_total", "counter", "Bodies rejected for a checksum mismatch.", counters.checksum_failures);
  metric("cache_evictions_total", "counter", "Images evicted from the cache.", counters.evictions);
  metric("replicas_received_total", "counter", "Images stored from replication pulls.", counters.replicas_received);
  metric("pull_orders_sent_total", "counter", "Replication pull orders sent as leader.", counters.pull_orders_sent);
  metric("elections_started_total", "counter", "Bully elections this edge started.", counters.elections_started);
  metric("times_elected_total", "counter", "Times this edge became leader.", counters.times_elected);
  metric("leader_id", "gauge", "The edge this edge believes leads (0 if none).", status.leader.value_or(0));
  metric("epoch", "gauge", "The epoch of the leader this edge follows or is.", status.epoch);
  metric("cache_items", "gauge", "Images in the cache.", status.cache_items);
  metric("cache_bytes", "gauge", "Bytes in the cache.", status.cache_bytes);
  metric("cache_budget_bytes", "gauge", "The cache's byte budget.", status.cache_budget_bytes);
  if (disk != nullptr) append_disk_metrics(text, *disk);
  return text;
}

}  // namespace edgecache::net
