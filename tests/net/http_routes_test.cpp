// Tests of the pure HTTP pieces (net/http_routes.cpp). Method: table-driven checks of image path parsing
// (including the hostile forms a client might send), content-type sniffing, ETags and If-None-Match, and
// of the disk cache's lines in the metrics text.

#include <catch2/catch.hpp>

#include "net/http_routes.h"

namespace edgecache::net {

TEST_CASE("image paths accept only plain decimal u64 ids", "[net][http]") {
  CHECK(std::get<ImageId>(parse_image_target("/images/0")) == 0);
  CHECK(std::get<ImageId>(parse_image_target("/images/42")) == 42);
  CHECK(std::get<ImageId>(parse_image_target("/images/18446744073709551615")) == 18446744073709551615ULL);
  for (const char* bad : {"/images/", "/images/abc", "/images/..", "/images/..%2f", "/images/%31", "/images/-1",
                          "/images/+1", "/images/1/", "/images/1?x=1", "/images/007", "/images/18446744073709551616",
                          "/images/123456789012345678901", "/images/1 2", "/images/../status"}) {
    INFO(bad);
    CHECK(std::holds_alternative<MalformedImageId>(parse_image_target(bad)));
  }
  CHECK(std::holds_alternative<NotAnImagePath>(parse_image_target("/status")));
  CHECK(std::holds_alternative<NotAnImagePath>(parse_image_target("/images")));
}

TEST_CASE("content types come from magic bytes", "[net][http]") {
  auto type = [](std::vector<std::uint8_t> bytes) { return std::string(content_type_of(bytes)); };
  CHECK(type({0xFF, 0xD8, 0xFF}) == "image/jpeg");
  CHECK(type({0x89, 0x50, 0x4E, 0x47, 0x0D}) == "image/png");
  CHECK(type({0x47, 0x49, 0x46, 0x38}) == "image/gif");
  CHECK(type({'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'}) == "image/webp");
  CHECK(type({'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'}) == "application/octet-stream");
  CHECK(type({}) == "application/octet-stream");
  CHECK(type({0xFF}) == "application/octet-stream");
}

TEST_CASE("ETags are quoted 16-digit hex and If-None-Match compares weakly", "[net][http]") {
  CHECK(etag_of(0xABC) == "\"0000000000000abc\"");
  const std::string etag = etag_of(0x1234);
  CHECK(if_none_match_matches(etag, etag));
  CHECK(if_none_match_matches("\"other\", " + etag, etag));
  CHECK(if_none_match_matches("W/" + etag, etag));
  CHECK(if_none_match_matches("*", etag));
  CHECK_FALSE(if_none_match_matches("\"other\"", etag));
  CHECK_FALSE(if_none_match_matches("", etag));
}

TEST_CASE("image responses carry caching headers and honour If-None-Match", "[net][http]") {
  const Body body = make_body({0x89, 0x50, 0x4E, 0x47});
  HttpRequest request;
  HttpResponse full = image_response(request, body);
  CHECK(full.status == 200);
  CHECK(full.image == body);
  request.if_none_match = etag_of(body->checksum());
  HttpResponse not_modified = image_response(request, body);
  CHECK(not_modified.status == 304);
  CHECK_FALSE(not_modified.image);
}

TEST_CASE("metrics show the disk cache's state only for an edge that has one", "[net][http]") {
  const std::string without = prometheus_metrics(EdgeCounters{}, EdgeStatus{});
  CHECK(without.find("edgecache_disk_") == std::string::npos);

  DiskCacheStatus disk;
  disk.degraded = true;
  disk.degraded_reason = storage_error_name(StorageError::no_space);
  disk.pending_writes = 3;
  disk.counters.write_failures = 2;
  disk.counters.writes_skipped = 5;
  const std::string full = prometheus_metrics(EdgeCounters{}, EdgeStatus{}, &disk);
  CHECK(full.find("\nedgecache_disk_degraded 1\n") != std::string::npos);
  CHECK(full.find("\nedgecache_disk_degraded_no_space 1\n") != std::string::npos);
  CHECK(full.find("\nedgecache_disk_pending_writes 3\n") != std::string::npos);
  CHECK(full.find("\nedgecache_disk_write_failures_total 2\n") != std::string::npos);
  CHECK(full.find("\nedgecache_disk_writes_skipped_total 5\n") != std::string::npos);

  disk.degraded_reason = storage_error_name(StorageError::io_error);
  const std::string failing = prometheus_metrics(EdgeCounters{}, EdgeStatus{}, &disk);
  CHECK(failing.find("\nedgecache_disk_degraded 1\n") != std::string::npos);
  CHECK(failing.find("\nedgecache_disk_degraded_no_space 0\n") != std::string::npos);
}

}  // namespace edgecache::net
