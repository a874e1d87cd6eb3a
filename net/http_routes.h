#pragma once
// The pure parts of the HTTP front end: parsing image paths strictly, naming content types from magic bytes,
// ETags, conditional requests, and the plain responses both roles share.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/edge.h"
#include "core/types.h"
#include "net/disk_cache_status.h"
#include "net/http_types.h"
#include "net/peer_link_counters.h"

namespace edgecache::net {

constexpr std::string_view image_path_prefix = "/images/";

// The outcome of matching a request target against /images/{id}.
struct NotAnImagePath {};     // Some other path: route it elsewhere.
struct MalformedImageId {};   // An /images/ path whose id is not a plain decimal u64: 400.
using ImageTarget = std::variant<ImageId, NotAnImagePath, MalformedImageId>;

// Parses a plain decimal image id: 1 to 20 ASCII digits, no leading zero (but "0" itself), fitting a u64.
std::optional<ImageId> parse_image_id(std::string_view digits);

// Accepts only "/images/" followed by 1 to 20 ASCII digits without leading zeros (but "0" itself) that fit
// in a u64. Anything else after the prefix (a sign, "..", a slash, any percent-encoding, a query string)
// is malformed, so one image has exactly one URL and no path trick reaches anything else.
ImageTarget parse_image_target(std::string_view target);

// Returns the MIME type from the leading bytes: JPEG, PNG, GIF or WEBP, else application/octet-stream.
std::string_view content_type_of(std::span<const std::uint8_t> bytes);

// Returns the strong ETag for a body with `checksum`: a quoted 16-digit lower-case hex number.
std::string etag_of(std::uint64_t checksum);

// Returns whether an If-None-Match header value matches `etag` ("*", or a listed tag, weak or strong).
bool if_none_match_matches(std::string_view header, std::string_view etag);

// Responses shared by the roles.
HttpResponse text_response(unsigned status, std::string text);
HttpResponse image_response(const HttpRequest& request, const Body& body);  // 200, or 304 on a matching ETag.
HttpResponse size_response(std::uint64_t size_bytes);                       // 200 to a HEAD, no body.
HttpResponse status_error_response(Status status);                          // 404 or 503.

// Renders an edge's counters and status in the Prometheus text format, with its disk cache's state and
// counters when it has one (`disk` not null).
std::string prometheus_metrics(const EdgeCounters& counters, const EdgeStatus& status,
                               const DiskCacheStatus* disk = nullptr);

// Renders the peer links' counters in the Prometheus text format; both roles add it to their metrics.
// `authenticated` is whether links need the cluster key (a gauge, 0 under --insecure-peers).
std::string peer_link_metrics(const PeerLinkCounters& counters, bool authenticated);

// Appends one metric, with its HELP and TYPE lines, to `text`.
void append_metric(std::string& text, std::string_view name, std::string_view type, std::string_view help,
                   std::uint64_t value);

}  // namespace edgecache::net
