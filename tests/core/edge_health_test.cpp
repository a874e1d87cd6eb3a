// Tests for the passive health policy. Method: drive EdgeHealth through failures, probes and successes at
// chosen times and check which edges are ejected, how long for, when a probe may go, and the order a
// request tries the edges in.

#include <catch2/catch.hpp>

#include "core/edge_health.h"

namespace edgecache {
namespace {

EdgeHealthPolicy policy() { return EdgeHealthPolicy{250'000, 2'000'000}; }

TEST_CASE("edge health ejects a failed edge and orders it last", "[core][edge_health]") {
  EdgeHealth health(policy());
  std::vector<NodeId> order{3, 1, 2};
  health.order(order);
  CHECK(order == std::vector<NodeId>{3, 1, 2});
  health.failed(1, 0);
  health.failed(3, 0);
  CHECK(health.ejected(1));
  CHECK_FALSE(health.ejected(2));
  order = {3, 1, 2};
  health.order(order);
  // Healthy first, then the ejected ones, each group in its routed order.
  CHECK(order == std::vector<NodeId>{2, 3, 1});
}

TEST_CASE("edge health allows one probe when an ejection runs out", "[core][edge_health]") {
  EdgeHealth health(policy());
  CHECK_FALSE(health.take_probe(1, 0));  // A healthy edge needs no probe.
  health.failed(1, 1'000);
  CHECK_FALSE(health.take_probe(1, 250'999));
  CHECK(health.take_probe(1, 251'000));
  CHECK_FALSE(health.take_probe(1, 251'000));  // One probe at a time.
  CHECK(health.ejected(1));
  health.succeeded(1);
  CHECK_FALSE(health.ejected(1));
  CHECK(health.ejection_us(1) == 0);
}

TEST_CASE("edge health doubles ejections of an edge failing in a row, up to the cap", "[core][edge_health]") {
  EdgeHealth health(policy());
  const TimeUs expected[] = {250'000, 500'000, 1'000'000, 2'000'000, 2'000'000};
  TimeUs now_us = 0;
  for (const TimeUs ejection_us : expected) {
    health.failed(1, now_us);
    CHECK(health.ejection_us(1) == ejection_us);
    CHECK_FALSE(health.take_probe(1, now_us + ejection_us - 1));
    now_us += ejection_us;
    CHECK(health.take_probe(1, now_us));
  }
  // Success forgets the history: the next failure starts from the first ejection again.
  health.succeeded(1);
  health.failed(1, now_us);
  CHECK(health.ejection_us(1) == 250'000);
}

TEST_CASE("edge health survives thousands of failures in a row", "[core][edge_health]") {
  EdgeHealth health(policy());
  for (int failure = 0; failure < 10'000; ++failure) health.failed(7, failure);
  CHECK(health.ejection_us(7) == 2'000'000);
}

}  // namespace
}  // namespace edgecache
