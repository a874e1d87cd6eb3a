#include "net/client/image_fetcher.h"

#include <array>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "core/parse_number.h"
#include "net/rpc_protocol.h"

namespace edgecache::net::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

FetchResult failure(FetchOutcome outcome, std::string detail) {
  FetchResult result;
  result.outcome = outcome;
  result.detail = std::move(detail);
  return result;
}

FetchResult network_failure(const Address& edge, const boost::system::error_code& error, const char* stage) {
  const FetchOutcome outcome = error == beast::error::timeout ? FetchOutcome::timeout : FetchOutcome::protocol_error;
  return failure(outcome, std::string(stage) + " " + edge.to_string() + ": " + error.message());
}

// Parses an ETag of the form "0123456789abcdef" (as the daemons send it) into its checksum.
std::optional<std::uint64_t> checksum_of_etag(std::string_view etag) {
  if (etag.size() != 18 || etag.front() != '"' || etag.back() != '"') return std::nullopt;
  return parse_hex64(etag.substr(1, 16));
}

}  // namespace

const char* fetch_outcome_name(FetchOutcome outcome) {
  switch (outcome) {
    case FetchOutcome::ok: return "ok";
    case FetchOutcome::not_found: return "not_found";
    case FetchOutcome::unavailable: return "unavailable";
    case FetchOutcome::connect_failed: return "connect_failed";
    case FetchOutcome::timeout: return "timeout";
    case FetchOutcome::protocol_error: return "protocol_error";
    case FetchOutcome::checksum_mismatch: return "checksum_mismatch";
  }
  return "unknown";
}

bool worth_failover(FetchOutcome outcome) { return outcome != FetchOutcome::ok && outcome != FetchOutcome::not_found; }

awaitable<std::optional<FetchResult>> EdgeConnections::connect(const Address& edge, beast::tcp_stream& stream) {
  const auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  boost::system::error_code error;
  // Resolved on every connect, so a Docker service that comes back with a new address is found again.
  const auto endpoints = co_await resolver.async_resolve(edge.host, std::to_string(edge.port),
                                                         asio::redirect_error(use_awaitable, error));
  if (error) co_return failure(FetchOutcome::connect_failed, "resolve " + edge.to_string() + ": " + error.message());
  stream.expires_after(std::chrono::milliseconds(client_connect_timeout_ms));
  co_await stream.async_connect(endpoints, asio::redirect_error(use_awaitable, error));
  if (error == beast::error::timeout) co_return failure(FetchOutcome::timeout, "connect " + edge.to_string() + ": timed out");
  if (error) co_return failure(FetchOutcome::connect_failed, "connect " + edge.to_string() + ": " + error.message());
  co_return std::nullopt;
}

awaitable<FetchResult> EdgeConnections::fetch(const Address& edge, ClientProtocolChoice protocol, ImageId image_id,
                                              bool size_only) {
  if (protocol == ClientProtocolChoice::rpc) co_return co_await rpc_exchange(edge, image_id, size_only);
  co_return co_await http_exchange(edge, "/images/" + std::to_string(image_id), size_only, !size_only);
}

awaitable<FetchResult> EdgeConnections::get_text(const Address& edge, const std::string& target) {
  co_return co_await http_exchange(edge, target, false, false);
}

awaitable<FetchResult> EdgeConnections::http_exchange(const Address& edge, const std::string& target, bool head,
                                                      bool want_image) {
  const auto executor = co_await asio::this_coro::executor;
  const std::string key = edge.to_string();
  // A kept-alive connection may have been closed by the server's idle timeout; if a reused connection fails,
  // the request is retried once on a fresh one before it counts as a failure.
  for (int attempt = 0; attempt < 2; ++attempt) {
    Connection& connection = connections_[key];
    const bool reused = connection.stream != nullptr;
    if (!reused) {
      connection.stream = std::make_unique<beast::tcp_stream>(executor);
      connection.buffer.clear();
      if (auto failed = co_await connect(edge, *connection.stream)) {
        connections_.erase(key);
        co_return *failed;
      }
    }
    beast::tcp_stream& stream = *connection.stream;
    http::request<http::empty_body> request(head ? http::verb::head : http::verb::get, target, 11);
    request.set(http::field::host, edge.host);
    request.set(http::field::user_agent, "edgecache-client");
    request.keep_alive(true);
    boost::system::error_code error;
    stream.expires_after(std::chrono::milliseconds(client_request_timeout_ms));
    co_await http::async_write(stream, request, asio::redirect_error(use_awaitable, error));
    http::response_parser<http::vector_body<std::uint8_t>> parser;
    parser.body_limit(max_client_body_bytes);
    parser.skip(head);  // A HEAD response announces a length but carries no body.
    if (!error) co_await http::async_read(stream, connection.buffer, parser, asio::redirect_error(use_awaitable, error));
    if (error) {
      connections_.erase(key);
      if (reused && error != beast::error::timeout) continue;
      co_return network_failure(edge, error, head ? "HEAD" : "GET");
    }
    const auto& response = parser.get();
    if (!response.keep_alive()) connections_.erase(key);
    const unsigned status = response.result_int();
    if (status == 404) co_return failure(FetchOutcome::not_found, "404 from " + key);
    if (status == 503) co_return failure(FetchOutcome::unavailable, "503 from " + key);
    if (status != 200) co_return failure(FetchOutcome::protocol_error, "status " + std::to_string(status) + " from " + key);

    FetchResult result;
    result.outcome = FetchOutcome::ok;
    if (head) {
      result.size = parse_decimal(response[http::field::content_length]);
      if (!result.size) co_return failure(FetchOutcome::protocol_error, "HEAD without Content-Length from " + key);
      co_return result;
    }
    const std::vector<std::uint8_t>& bytes = response.body();
    if (!want_image) {
      result.detail.assign(bytes.begin(), bytes.end());
      co_return result;
    }
    result.checksum = checksum_of_etag(response[http::field::etag]);
    if (!result.checksum) co_return failure(FetchOutcome::protocol_error, "image without a valid ETag from " + key);
    result.body = make_body(bytes);
    result.size = result.body->size();
    if (result.body->checksum() != *result.checksum) {
      co_return failure(FetchOutcome::checksum_mismatch, "body does not match its ETag from " + key);
    }
    co_return result;
  }
  co_return failure(FetchOutcome::protocol_error, "unreachable");
}

awaitable<FetchResult> EdgeConnections::rpc_exchange(const Address& edge, ImageId image_id, bool size_only) {
  const auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  if (auto failed = co_await connect(edge, stream)) co_return *failed;
  const std::string json =
      nlohmann::json{{"function", size_only ? "get_image_size" : "get_image"}, {"args", {image_id}}, {"clock", 0}}.dump();
  std::string request;
  append_le64(request, json.size());
  request += json;
  boost::system::error_code error;
  stream.expires_after(std::chrono::milliseconds(client_request_timeout_ms));
  co_await asio::async_write(stream, asio::buffer(request), asio::redirect_error(use_awaitable, error));
  if (error) co_return network_failure(edge, error, "RPC write");
  // The server closes after its reply, so the reply is everything up to the end of the stream: that is also
  // how a size reply (16 bytes) is told from an error reply (16 bytes and a JSON object).
  const std::string key = edge.to_string();
  std::vector<std::uint8_t> received;
  std::vector<std::uint8_t> chunk(64 * 1024);
  while (true) {
    const std::size_t count =
        co_await stream.async_read_some(asio::buffer(chunk), asio::redirect_error(use_awaitable, error));
    received.insert(received.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(count));
    if (error == asio::error::eof) break;
    if (error) co_return network_failure(edge, error, "RPC read");
    if (received.size() > 2 * rpc_length_prefix_bytes + max_client_body_bytes) {
      co_return failure(FetchOutcome::protocol_error, "RPC reply too large from " + key);
    }
  }
  const std::span<const std::uint8_t> bytes(received);
  if (bytes.size() < 2 * rpc_length_prefix_bytes) co_return failure(FetchOutcome::protocol_error, "short RPC reply from " + key);
  const std::uint64_t length = read_le64(bytes.subspan(rpc_length_prefix_bytes));
  const auto payload = bytes.subspan(2 * rpc_length_prefix_bytes);
  FetchResult result;
  result.outcome = FetchOutcome::ok;
  if (size_only && payload.empty()) {
    result.size = length;
    co_return result;
  }
  if (payload.size() != length) co_return failure(FetchOutcome::protocol_error, "RPC reply length mismatch from " + key);
  // No image format starts with '{', so an object with an "error" string is an error reply.
  const auto parsed = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    const std::string message = parsed["error"].get<std::string>();
    if (message.find("not found") != std::string::npos) co_return failure(FetchOutcome::not_found, message);
    if (message.find("unavailable") != std::string::npos) co_return failure(FetchOutcome::unavailable, message);
    co_return failure(FetchOutcome::protocol_error, "RPC error from " + key + ": " + message);
  }
  if (size_only) co_return failure(FetchOutcome::protocol_error, "RPC size reply with a payload from " + key);
  result.body = make_body(std::vector<std::uint8_t>(payload.begin(), payload.end()));
  result.size = result.body->size();
  co_return result;
}

}  // namespace edgecache::net::client
