// Tests for the catalogs. Method: MemoryCatalog is checked for lookups, misses and its reported checksums.
// SyntheticCatalog is built twice from the same options and compared image by image (sizes, checksums and
// bytes), built with another seed to show contents depend on it, and checked for its size bounds, for the
// rough shape of its size distribution, and for the agreement of info() with the bodies it generates.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "core/catalog.h"

namespace edgecache {
namespace {

TEST_CASE("memory catalog returns what was added and nothing else", "[core][catalog]") {
  MemoryCatalog catalog;
  const Body cat = make_body({1, 2, 3, 4, 5});
  const Body empty = make_body({});
  catalog.add(10, cat);
  catalog.add(11, empty);
  CHECK(catalog.image_count() == 2);

  CHECK(catalog.body(10) == cat);
  const std::optional<ImageInfo> info = catalog.info(10);
  REQUIRE(info.has_value());
  CHECK(info->size_bytes == 5);
  CHECK(info->checksum == checksum_of(cat->bytes()));

  REQUIRE(catalog.info(11).has_value());
  CHECK(catalog.info(11)->size_bytes == 0);

  CHECK_FALSE(catalog.info(12).has_value());
  CHECK(catalog.body(12) == nullptr);
}

SyntheticCatalogOptions small_options(std::uint64_t seed) {
  SyntheticCatalogOptions options;
  options.seed = seed;
  options.image_count = 300;
  options.min_size_bytes = 100;
  options.median_size_bytes = 2000;
  options.max_size_bytes = 20000;
  return options;
}

TEST_CASE("synthetic catalog is the same in every instance built from the same options", "[core][catalog]") {
  const SyntheticCatalog first(small_options(7));
  const SyntheticCatalog second(small_options(7));
  CHECK(first.image_count() == 300);
  for (ImageId id = 0; id < first.image_count(); ++id) {
    INFO("image " << id);
    const std::optional<ImageInfo> a = first.info(id);
    const std::optional<ImageInfo> b = second.info(id);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(a->size_bytes == b->size_bytes);
    CHECK(a->checksum == b->checksum);
    CHECK(std::ranges::equal(first.body(id)->bytes(), second.body(id)->bytes()));
  }
}

TEST_CASE("synthetic catalog contents and sizes depend on the seed", "[core][catalog]") {
  const SyntheticCatalog first(small_options(7));
  const SyntheticCatalog other(small_options(8));
  std::size_t different_checksums = 0;
  std::size_t different_sizes = 0;
  for (ImageId id = 0; id < first.image_count(); ++id) {
    different_checksums += first.info(id)->checksum != other.info(id)->checksum ? 1 : 0;
    different_sizes += first.info(id)->size_bytes != other.info(id)->size_bytes ? 1 : 0;
  }
  CHECK(different_checksums == first.image_count());
  CHECK(different_sizes > first.image_count() * 9 / 10);
  // Within one catalog every image has its own contents too.
  std::set<std::uint64_t> checksums;
  for (ImageId id = 0; id < first.image_count(); ++id) checksums.insert(first.info(id)->checksum);
  CHECK(checksums.size() == first.image_count());
}

TEST_CASE("synthetic catalog images do not depend on the catalog's image count", "[core][catalog]") {
  SyntheticCatalogOptions fewer = small_options(7);
  fewer.image_count = 50;
  const SyntheticCatalog small(fewer);
  const SyntheticCatalog large(small_options(7));
  for (ImageId id = 0; id < small.image_count(); ++id) CHECK(small.info(id)->checksum == large.info(id)->checksum);
}

TEST_CASE("synthetic catalog bodies match their reported size and checksum", "[core][catalog]") {
  const SyntheticCatalog catalog(small_options(3));
  for (ImageId id = 0; id < catalog.image_count(); ++id) {
    const Body body = catalog.body(id);
    REQUIRE(body != nullptr);
    CHECK(body->size() == catalog.info(id)->size_bytes);
    CHECK(body->checksum() == catalog.info(id)->checksum);
    // The body is deferred; reading it makes bytes that must hash to the checksum promised up front.
    CHECK(body->bytes().size() == body->size());
    CHECK(checksum_of(body->bytes()) == catalog.info(id)->checksum);
  }
}

TEST_CASE("synthetic catalog sizes stay in bounds and centre on the median", "[core][catalog]") {
  SyntheticCatalogOptions options;
  options.seed = 11;
  options.image_count = 2001;
  options.min_size_bytes = 1024;
  options.median_size_bytes = 8 * 1024;
  options.max_size_bytes = 64 * 1024;
  const SyntheticCatalog catalog(options);
  std::vector<std::uint64_t> sizes;
  for (ImageId id = 0; id < catalog.image_count(); ++id) sizes.push_back(catalog.info(id)->size_bytes);
  std::ranges::sort(sizes);
  const std::uint64_t smallest = sizes.front();
  const std::uint64_t largest = sizes.back();
  CHECK(smallest >= options.min_size_bytes);
  CHECK(largest <= options.max_size_bytes);
  // With ln-sigma 1 and bounds a factor 8 from the median, a few percent of images hit each clamp, so both
  // bounds are actually reached and the distribution is not degenerate.
  CHECK(smallest == options.min_size_bytes);
  CHECK(largest == options.max_size_bytes);
  const std::uint64_t median = sizes[sizes.size() / 2];
  CHECK(median > options.median_size_bytes * 8 / 10);
  CHECK(median < options.median_size_bytes * 12 / 10);
}

TEST_CASE("synthetic catalog with equal bounds makes every image that size", "[core][catalog]") {
  SyntheticCatalogOptions options;
  options.image_count = 20;
  options.min_size_bytes = 777;
  options.median_size_bytes = 777;
  options.max_size_bytes = 777;
  const SyntheticCatalog catalog(options);
  for (ImageId id = 0; id < catalog.image_count(); ++id) CHECK(catalog.body(id)->size() == 777);
}

TEST_CASE("synthetic catalog checksums computed ahead, in ranges, equal those computed on demand", "[core][catalog]") {
  const SyntheticCatalogOptions options{5, 300, 100, 5000, 1000};
  SyntheticCatalog ahead(options);
  ahead.compute_checksums(0, 120);
  ahead.compute_checksums(120, 120);  // An empty range is allowed.
  ahead.compute_checksums(120, 300);
  const SyntheticCatalog on_demand(options);
  std::uint64_t total_bytes = 0;
  for (ImageId id = 0; id < 300; ++id) {
    const std::optional<ImageInfo> expected = on_demand.info(id);
    REQUIRE(expected);
    CHECK(ahead.info(id)->checksum == expected->checksum);
    CHECK(ahead.info(id)->size_bytes == expected->size_bytes);
    total_bytes += expected->size_bytes;
  }
  CHECK(ahead.total_bytes() == total_bytes);
}

TEST_CASE("synthetic catalog knows nothing past its last id", "[core][catalog]") {
  const SyntheticCatalog catalog(small_options(1));
  CHECK_FALSE(catalog.info(300).has_value());
  CHECK(catalog.body(300) == nullptr);
  CHECK_FALSE(catalog.info(0xFFFFFFFFFFFFFFFFULL).has_value());
  CHECK(catalog.info(299).has_value());
}

}  // namespace
}  // namespace edgecache

TEST_CASE("two bodies of one synthetic image make the same bytes", "[core][catalog]") {
  edgecache::SyntheticCatalogOptions options;
  options.image_count = 4;
  const edgecache::SyntheticCatalog catalog(options);
  const edgecache::Body first = catalog.body(2);
  const edgecache::Body second = catalog.body(2);
  REQUIRE(first != nullptr);
  REQUIRE(second != nullptr);
  CHECK(std::vector<std::uint8_t>(first->bytes().begin(), first->bytes().end()) ==
        std::vector<std::uint8_t>(second->bytes().begin(), second->bytes().end()));
  CHECK(first->checksum() == catalog.info(2)->checksum);
}
