#include "tests/net/rpc_test_client.h"

#include <nlohmann/json.hpp>

#include "tests/net/cluster_harness.h"

namespace edgecache::net::testing {

namespace {

std::uint64_t little_endian_at(const std::string& bytes, std::size_t offset) {
  std::uint64_t value = 0;
  for (std::size_t index = 0; index < 8; ++index) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[offset + index])) << (8 * index);
  }
  return value;
}

// Returns the error message if `payload` is an error object, else nothing.
std::optional<std::string> error_of(const std::string& payload) {
  const auto json = nlohmann::json::parse(payload, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("error") || !json["error"].is_string()) {
    return std::nullopt;
  }
  return json["error"].get<std::string>();
}

// Decodes clock, length and payload; `expect_size_only` for get_image_size, where nothing follows the size.
RpcReply decode(std::optional<std::string> received, bool expect_size_only) {
  RpcReply reply;
  if (!received || received->size() < 16) {
    if (received) reply.raw = *received;
    return reply;
  }
  reply.raw = *received;
  reply.clock = little_endian_at(*received, 0);
  const std::uint64_t length = little_endian_at(*received, 8);
  if (expect_size_only && received->size() == 16) {
    reply.complete = true;
    reply.size = length;
    return reply;
  }
  if (received->size() - 16 != length) return reply;
  const std::string payload = received->substr(16);
  reply.complete = true;
  if (auto error = error_of(payload)) {
    reply.error = *error;
  } else if (!expect_size_only) {
    reply.image = payload;
  } else {
    reply.complete = false;
  }
  return reply;
}

}  // namespace

std::string rpc_frame(const std::string& json) {
  std::string framed;
  for (std::size_t index = 0; index < 8; ++index) framed.push_back(static_cast<char>((json.size() >> (8 * index)) & 0xFF));
  return framed + json;
}

RpcReply rpc_call(std::uint16_t port, const std::string& function, const std::string& args,
                  std::chrono::milliseconds timeout) {
  const std::string json = "{\"function\": \"" + function + "\", \"args\": " + args + ", \"clock\": 0}";
  return decode(exchange_raw(port, rpc_frame(json), timeout), function == "get_image_size");
}

RpcReply rpc_raw(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  return decode(exchange_raw(port, bytes, timeout), false);
}

}  // namespace edgecache::net::testing
