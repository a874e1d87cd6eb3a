// Tests for the simulator trace reader's lanes (sim/trace/trace_reader.h), found by the `trace` fuzz target
// (tests/fuzz/trace_fuzz.cc): every host gets exactly one lane. The tests hand the reader small texts: the
// header's hosts, then a node only the events name, must each give one lane in order; a header that lists a
// name twice, which `sim` never writes, is refused on line 1 rather than drawn as two lanes of one host.

#include <catch2/catch.hpp>

#include <string>
#include <variant>
#include <vector>

#include "sim/trace/trace_reader.h"

namespace edgecache::sim {
namespace {

TEST_CASE("trace reader: the header's hosts and the nodes events name get one lane each, in order", "[sim][trace]") {
  const std::string text =
      R"({"format":"edgecache-trace","version":2,"hosts":[{"id":1,"name":"edge-1"},{"id":5,"name":"client-1"}]})" "\n"
      R"({"t_us":0,"ev":"send","node":"edge-1","to":"edge-2","msg":"election","msg_id":1})" "\n"
      R"({"t_us":1,"ev":"recv","node":"edge-2","from":"edge-1","msg":"election","msg_id":1})" "\n";
  const auto parsed = parse_trace(text);
  REQUIRE(std::holds_alternative<ParsedTrace>(parsed));
  CHECK(std::get<ParsedTrace>(parsed).hosts == std::vector<std::string>{"edge-1", "client-1", "edge-2"});
}

TEST_CASE("trace reader: a header that lists a host twice is refused on line 1", "[sim][trace]") {
  // The fuzz target's input, minimised: two hosts of one name.
  const std::string text = R"({"format":"edgecache-trace","version":2,"hosts":[{"name":"a"},{"name":"a"}]})" "\n";
  const auto parsed = parse_trace(text);
  REQUIRE(std::holds_alternative<TraceReadError>(parsed));
  const TraceReadError& error = std::get<TraceReadError>(parsed);
  CHECK(error.line == 1);
  CHECK(error.reason == "header: hosts: \"a\" is listed twice");
}

}  // namespace
}  // namespace edgecache::sim
