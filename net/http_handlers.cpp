#include "net/http_handlers.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "net/http_routes.h"

namespace edgecache::net {

namespace {

HttpResponse json_response(const nlohmann::json& body) {
  HttpResponse response;
  response.status = 200;
  response.headers.emplace_back("Content-Type", "application/json");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.text = body.dump() + "\n";
  return response;
}

HttpResponse method_not_allowed() {
  HttpResponse response = text_response(405, "only GET and HEAD are supported\n");
  response.headers.emplace_back("Allow", "GET, HEAD");
  return response;
}

nlohmann::json links_json(const PeerLinks& links) {
  return {{"outbound", links.connected_outbound()},
          {"inbound", links.connected_inbound()},
          {"security", links.authenticated() ? "authenticated" : "insecure"}};
}

// The disk cache's part of an edge's /status, or null for an edge without --data-dir.
nlohmann::json disk_status_json(const DiskCache* disk) {
  if (disk == nullptr) return nullptr;
  const DiskCacheStatus status = disk->status();
  const DiskMirrorCounters& counters = status.counters;
  return {{"degraded", status.degraded},
          {"reason", status.degraded_reason},
          {"pending_writes", status.pending_writes},
          {"queued_writes", status.queued_writes},
          {"files", status.files},
          {"loaded", counters.loaded},
          {"written", counters.written},
          {"write_failures", counters.write_failures},
          {"writes_skipped", counters.writes_skipped},
          {"removed", counters.removed},
          {"dropped_corrupt", counters.dropped_corrupt},
          {"dropped_over_budget", counters.dropped_over_budget},
          {"degraded_episodes", counters.degraded_episodes}};
}

// Answers the routes both roles share; returns false if `request` is for none of them.
bool handle_common(const HttpRequest& request, const HttpHandler::Respond& respond) {
  if (request.method == HttpMethod::other) {
    respond(method_not_allowed());
    return true;
  }
  if (request.target == "/healthz") {
    respond(text_response(200, "ok\n"));
    return true;
  }
  return false;
}

}  // namespace

void EdgeHttpHandler::handle(const HttpRequest& request, Respond respond) {
  if (handle_common(request, respond)) return;
  if (request.target == "/status") {
    const EdgeStatus status = edge_.status();
    respond(json_response({{"id", status.id},
                           {"kind", "edge"},
                           {"role", role_name(status.role)},
                           {"leader", status.leader ? nlohmann::json(*status.leader) : nlohmann::json(nullptr)},
                           {"epoch", status.epoch},
                           {"cache_items", status.cache_items},
                           {"cache_bytes", status.cache_bytes},
                           {"cache_budget_bytes", status.cache_budget_bytes},
                           {"links", links_json(links_)},
                           {"disk", disk_status_json(disk_)}}));
    return;
  }
  if (request.target == "/metrics") {
    const std::optional<DiskCacheStatus> disk = disk_ ? std::optional(disk_->status()) : std::nullopt;
    HttpResponse response = text_response(200, prometheus_metrics(edge_.counters(), edge_.status(), disk ? &*disk : nullptr) +
                                                    peer_link_metrics(links_.counters(), links_.authenticated()));
    response.headers = {{"Content-Type", "text/plain; version=0.0.4"}};
    respond(std::move(response));
    return;
  }
  const ImageTarget target = parse_image_target(request.target);
  if (std::holds_alternative<NotAnImagePath>(target)) return respond(text_response(404, "no such route\n"));
  if (std::holds_alternative<MalformedImageId>(target)) return respond(text_response(400, "malformed image id\n"));
  const ImageId image_id = std::get<ImageId>(target);

  if (request.method == HttpMethod::head) {
    local_.submit(GetSize{0, image_id}, [respond](std::optional<Message> reply) {
      const auto* size = reply ? std::get_if<SizeReply>(&*reply) : nullptr;
      if (size == nullptr) return respond(status_error_response(Status::unavailable));
      if (size->status != Status::ok) return respond(status_error_response(size->status));
      respond(size_response(size->size_bytes));
    });
    return;
  }
  local_.submit(GetImage{0, image_id, false}, [request, respond, image_id, disk = disk_](std::optional<Message> reply) {
    const auto* image = reply ? std::get_if<ImageReply>(&*reply) : nullptr;
    if (image == nullptr) return respond(status_error_response(Status::unavailable));
    if (image->status != Status::ok || !image->body) return respond(status_error_response(image->status));
    HttpResponse response = image_response(request, image->body);
    if (disk != nullptr && request.accepts_file_body && response.status == 200) response.image_file = disk->body_file(image_id, image->body);
    respond(std::move(response));
  });
}

void CanonicalHttpHandler::handle(const HttpRequest& request, Respond respond) {
  if (handle_common(request, respond)) return;
  if (request.target == "/status") {
    respond(json_response({{"id", id_},
                           {"kind", "canonical"},
                           {"role", "canonical"},
                           {"images", catalog_.image_count()},
                           {"images_served", canonical_.images_served()},
                           {"links", links_json(links_)}}));
    return;
  }
  if (request.target == "/metrics") {
    std::string text;
    append_metric(text, "catalog_images", "gauge", "Images in the canonical catalog.", catalog_.image_count());
    append_metric(text, "images_served_total", "counter", "Image bodies the canonical sent to edges.",
                  canonical_.images_served());
    HttpResponse response = text_response(200, text + peer_link_metrics(links_.counters(), links_.authenticated()));
    response.headers = {{"Content-Type", "text/plain; version=0.0.4"}};
    respond(std::move(response));
    return;
  }
  const ImageTarget target = parse_image_target(request.target);
  if (std::holds_alternative<NotAnImagePath>(target)) return respond(text_response(404, "no such route\n"));
  if (std::holds_alternative<MalformedImageId>(target)) return respond(text_response(400, "malformed image id\n"));
  const ImageId image_id = std::get<ImageId>(target);
  if (request.method == HttpMethod::head) {
    const std::optional<ImageInfo> info = catalog_.info(image_id);
    if (!info) return respond(status_error_response(Status::not_found));
    return respond(size_response(info->size_bytes));
  }
  const Body body = catalog_.body(image_id);
  if (!body) return respond(status_error_response(Status::not_found));
  respond(image_response(request, body));
}

}  // namespace edgecache::net
