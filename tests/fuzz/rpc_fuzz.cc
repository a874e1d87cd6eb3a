// Fuzz target `rpc`: the original system's RPC request parser (net/rpc_protocol.h) on arbitrary request
// bodies, the JSON that follows a request's 8-byte length.
//
// Method: parse the body. A refusal goes back to the client as {"error": message}, so the reply built from
// it must be well-formed whatever bytes the message echoes: its length prefix counts exactly the JSON after
// it, and that JSON is an object holding just the "error" text (invalid UTF-8 repaired). An accepted call is
// served as an HTTP request for "/images/ID" (net/rpc_session.cpp), so that target must route back to the
// same image, and the call written canonically, with the id as a number and as a string, must parse back
// to the same call.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "net/http_routes.h"
#include "net/rpc_protocol.h"

namespace {

using namespace edgecache;
using namespace edgecache::net;

const char* function_name(RpcFunction function) {
  return function == RpcFunction::get_image ? "get_image" : "get_image_size";
}

bool same_call(const RpcParseResult& result, const RpcCall& call) {
  const auto* parsed = std::get_if<RpcCall>(&result);
  return parsed != nullptr && parsed->function == call.function && parsed->image_id == call.image_id;
}

void check_error_reply(const std::string& message) {
  EC_ASSERT(!message.empty(), "a refused request says why");
  const std::string reply = rpc_error_reply(message);
  EC_ASSERT(reply.size() >= 2 * rpc_length_prefix_bytes, "an error reply has its clock and length");
  const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size());
  EC_ASSERT(read_le64(bytes.subspan(rpc_length_prefix_bytes)) == reply.size() - 2 * rpc_length_prefix_bytes,
            "an error reply's length counts its JSON");
  const nlohmann::json json =
      nlohmann::json::parse(reply.substr(2 * rpc_length_prefix_bytes), nullptr, /*allow_exceptions=*/false);
  EC_ASSERT(json.is_object() && json.size() == 1 && json.contains("error") && json["error"].is_string(),
            "an error reply is {\"error\": text}");
}

void check_accepted_call(const RpcCall& call) {
  const ImageTarget target = parse_image_target("/images/" + std::to_string(call.image_id));
  EC_ASSERT(std::holds_alternative<ImageId>(target) && std::get<ImageId>(target) == call.image_id,
            "the session's target for a call routes to the call's image");
  const nlohmann::json as_number = {{"function", function_name(call.function)}, {"args", {call.image_id}}, {"clock", 0}};
  EC_ASSERT(same_call(parse_rpc_request(as_number.dump()), call), "a call written with a numeric id parses back");
  const nlohmann::json as_string = {{"function", function_name(call.function)}, {"args", {std::to_string(call.image_id)}}};
  EC_ASSERT(same_call(parse_rpc_request(as_string.dump()), call), "a call written with a string id parses back");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The session refuses longer bodies by their length prefix before reading them.
  if (size > max_rpc_request_bytes) return 0;
  const RpcParseResult parsed = parse_rpc_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (const auto* error = std::get_if<RpcParseError>(&parsed)) {
    check_error_reply(error->message);
  } else {
    check_accepted_call(std::get<RpcCall>(parsed));
  }
  return 0;
}
