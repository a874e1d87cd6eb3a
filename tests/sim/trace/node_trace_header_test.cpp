// Tests for the node trace reader's header fields of the wrong type (sim/trace/node_trace.h), found by the
// `node_trace` fuzz target (tests/fuzz/node_trace_fuzz.cc): "source" and "node" present but not strings
// made the reader throw nlohmann::json's type_error instead of refusing the header. Each test hands the
// reader a one-line header and requires a refusal on line 1 that says which field is wrong.

#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "sim/trace/node_trace.h"

namespace edgecache::sim {
namespace {

NodeTraceError refusal_of(const std::string& header) {
  const auto parsed = parse_node_trace(header + "\n", "node.jsonl");
  REQUIRE(std::holds_alternative<NodeTraceError>(parsed));
  return std::get<NodeTraceError>(parsed);
}

TEST_CASE("node trace: a header whose \"source\" is not a string is refused, not thrown", "[sim][node_trace]") {
  // The fuzz target's input, minimised.
  const NodeTraceError error = refusal_of(R"({"format":"edgecache-trace","version":2,"source":1})");
  CHECK(error.line == 1);
  CHECK(error.reason.find("\"source\": \"node\"") != std::string::npos);
}

TEST_CASE("node trace: a header whose \"node\" is not a string is refused, not thrown", "[sim][node_trace]") {
  for (const char* role : {"edge", "controller"}) {
    const NodeTraceError error = refusal_of(std::string(R"({"format":"edgecache-trace","version":2,"source":"node","role":")") +
                                            role + R"(","wall_us":0,"node":5})");
    CHECK(error.line == 1);
    CHECK(error.reason == "header: \"node\": expected a string, got 5");
  }
}

}  // namespace
}  // namespace edgecache::sim
