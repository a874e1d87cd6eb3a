#include "net/rpc_protocol.h"

#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "net/http_routes.h"

namespace edgecache::net {

namespace {

// The clock field the original server always sent.
constexpr std::uint64_t rpc_reply_clock = 0;

// Longest function name echoed back in an error, so a huge garbage name does not make a huge reply.
constexpr std::size_t max_echoed_name_chars = 64;

}  // namespace

std::uint64_t read_le64(std::span<const std::uint8_t> bytes) {
  EC_ASSERT(bytes.size() >= 8, "read_le64 needs 8 bytes");
  std::uint64_t value = 0;
  for (std::size_t index = 0; index < 8; ++index) value |= static_cast<std::uint64_t>(bytes[index]) << (8 * index);
  return value;
}

void append_le64(std::string& out, std::uint64_t value) {
  for (std::size_t index = 0; index < 8; ++index) out.push_back(static_cast<char>((value >> (8 * index)) & 0xFF));
}

RpcParseResult parse_rpc_request(std::string_view json_text) {
  const nlohmann::json request = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return RpcParseError{"malformed request: not valid JSON"};
  if (!request.is_object()) return RpcParseError{"malformed request: expected a JSON object"};
  const auto function = request.find("function");
  if (function == request.end() || !function->is_string()) {
    return RpcParseError{"malformed request: \"function\" must be a string"};
  }
  const std::string name = function->get<std::string>();
  RpcCall call;
  if (name == "get_image") {
    call.function = RpcFunction::get_image;
  } else if (name == "get_image_size") {
    call.function = RpcFunction::get_image_size;
  } else {
    return RpcParseError{"unknown function: " + name.substr(0, max_echoed_name_chars)};
  }
  const auto args = request.find("args");
  if (args == request.end() || !args->is_array() || args->size() != 1) {
    return RpcParseError{"malformed request: \"args\" must be [image_id]"};
  }
  const nlohmann::json& id = (*args)[0];
  if (id.is_number_unsigned()) {
    call.image_id = id.get<std::uint64_t>();
  } else if (id.is_number_integer() && id.get<std::int64_t>() >= 0) {
    call.image_id = static_cast<ImageId>(id.get<std::int64_t>());
  } else if (id.is_string()) {
    const std::optional<ImageId> parsed = parse_image_id(id.get<std::string>());
    if (!parsed) return RpcParseError{"malformed image id"};
    call.image_id = *parsed;
  } else {
    return RpcParseError{"malformed image id"};
  }
  return call;
}

std::string rpc_image_reply_header(std::uint64_t size_bytes) {
  std::string out;
  append_le64(out, rpc_reply_clock);
  append_le64(out, size_bytes);
  return out;
}

std::string rpc_size_reply(std::uint64_t size_bytes) { return rpc_image_reply_header(size_bytes); }

std::string rpc_error_reply(std::string_view message) {
  // Replacing invalid UTF-8 (a function name cut mid-character) keeps dump() from throwing on client input.
  const std::string json =
      nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  append_le64(out, rpc_reply_clock);
  append_le64(out, json.size());
  out += json;
  return out;
}

}  // namespace edgecache::net
