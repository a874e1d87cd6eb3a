#include "net/rpc_session.h"

#include <array>
#include <chrono>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/rpc_protocol.h"

namespace edgecache::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr std::int64_t rpc_drain_timeout_ms = 1000;       // After replying: how long to wait for the client to close.
constexpr std::size_t rpc_max_drain_bytes = 1024 * 1024;  // After replying: most input discarded before closing anyway.

class RpcSession : public std::enable_shared_from_this<RpcSession> {
 public:
  RpcSession(tcp::socket socket, std::span<const std::uint8_t> initial_bytes, HttpHandler& handler,
             std::shared_ptr<void> connection_slot)
      : stream_(std::move(socket)),
        handler_(handler),
        connection_slot_(std::move(connection_slot)),
        buffer_(rpc_length_prefix_bytes + max_rpc_request_bytes) {
    const std::size_t kept = std::min(initial_bytes.size(), buffer_.max_size());
    asio::buffer_copy(buffer_.prepare(kept), asio::buffer(initial_bytes.data(), kept));
    buffer_.commit(kept);
  }

  void run() {
    // One deadline covers the whole request, counted from now: a client that trickles bytes cannot stretch it.
    stream_.expires_after(std::chrono::milliseconds(rpc_request_read_timeout_ms));
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->do_read_length(); });
  }

 private:
  std::span<const std::uint8_t> buffered() const {
    return {static_cast<const std::uint8_t*>(buffer_.data().data()), buffer_.size()};
  }

  void do_read_length() {
    if (buffer_.size() >= rpc_length_prefix_bytes) return on_length();
    do_read_some([self = shared_from_this()] { self->do_read_length(); });
  }

  // Reads what has arrived into buffer_ and then calls `next`; on an error (the deadline, or the client
  // leaving mid-request) closes instead. The buffer's own bound caps what a request can make it hold.
  template <typename Next>
  void do_read_some(Next next) {
    const std::size_t room = buffer_.max_size() - buffer_.size();
    stream_.async_read_some(buffer_.prepare(room), [self = shared_from_this(), next](const boost::system::error_code& error,
                                                                                     std::size_t bytes) {
      if (error) return self->close();
      self->buffer_.commit(bytes);
      next();
    });
  }

  void on_length() {
    request_bytes_ = read_le64(buffered());
    // Checked before reading a byte of the body, so a length of 2^63 costs nothing.
    if (request_bytes_ == 0 || request_bytes_ > max_rpc_request_bytes) {
      return do_write_error("request length " + std::to_string(request_bytes_) + " is outside 1.." +
                            std::to_string(max_rpc_request_bytes));
    }
    do_read_request();
  }

  void do_read_request() {
    const std::size_t wanted = rpc_length_prefix_bytes + static_cast<std::size_t>(request_bytes_);
    if (buffer_.size() >= wanted) return on_request();
    do_read_some([self = shared_from_this()] { self->do_read_request(); });
  }

  void on_request() {
    const auto body = buffered().subspan(rpc_length_prefix_bytes, static_cast<std::size_t>(request_bytes_));
    const RpcParseResult parsed =
        parse_rpc_request(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
    if (const auto* error = std::get_if<RpcParseError>(&parsed)) return do_write_error(error->message);
    call_ = std::get<RpcCall>(parsed);
    HttpRequest request;
    request.method = call_.function == RpcFunction::get_image ? HttpMethod::get : HttpMethod::head;
    request.target = "/images/" + std::to_string(call_.image_id);
    // The handler may answer later (an edge fetching from the origin) and guarantees an answer by its deadline.
    handler_.handle(request, [self = shared_from_this()](HttpResponse response) {
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->on_response(std::move(response)); });
    });
  }

  void on_response(HttpResponse response) {
    const std::string id = std::to_string(call_.image_id);
    if (response.status == 404) return do_write_error("image " + id + " not found");
    if (response.status == 503) return do_write_error("image " + id + " unavailable: origin unreachable, try again");
    if (response.status != 200) return do_write_error("image " + id + ": internal error " + std::to_string(response.status));
    if (call_.function == RpcFunction::get_image_size) {
      const std::uint64_t size = response.head_content_length.value_or(response.image ? response.image->size() : 0);
      return do_write(rpc_size_reply(size));
    }
    if (!response.image) return do_write_error("image " + id + ": internal error, no body");
    body_ = response.image;
    do_write(rpc_image_reply_header(body_->size()));
  }

  void do_write_error(const std::string& message) { do_write(rpc_error_reply(message)); }

  // Writes `head` and then the body held in body_, if any, without copying the body.
  void do_write(std::string head) {
    head_ = std::move(head);
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_), asio::const_buffer()};
    if (body_) buffers[1] = asio::buffer(body_->bytes().data(), body_->size());
    stream_.expires_after(std::chrono::milliseconds(rpc_write_timeout_ms));
    asio::async_write(stream_, buffers, [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
      self->close();  // One request per connection, as in the original, whether or not the write worked.
    });
  }

  // Closing a socket with unread input makes the kernel send a reset, which can destroy the reply before the
  // client reads it (a client that sent a bogus length and then more bytes, say). So the session shuts its
  // side, then reads and discards a bounded amount until the client closes or a short deadline passes.
  void close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::milliseconds(rpc_drain_timeout_ms));
    do_drain();
  }

  void do_drain() {
    if (drained_bytes_ >= rpc_max_drain_bytes) return stream_.close();
    stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](const boost::system::error_code& error,
                                                                             std::size_t bytes) {
      self->drained_bytes_ += bytes;
      if (error) return self->stream_.close();
      self->do_drain();
    });
  }

  beast::tcp_stream stream_;
  HttpHandler& handler_;
  std::shared_ptr<void> connection_slot_;
  beast::flat_buffer buffer_;
  std::uint64_t request_bytes_ = 0;
  RpcCall call_;
  std::string head_;
  Body body_;  // Keeps the image alive until the write completes.
  std::array<char, 4096> drain_{};
  std::size_t drained_bytes_ = 0;
};

}  // namespace

void start_rpc_session(tcp::socket socket, std::span<const std::uint8_t> initial_bytes, HttpHandler& handler,
                       std::shared_ptr<void> connection_slot) {
  std::make_shared<RpcSession>(std::move(socket), initial_bytes, handler, std::move(connection_slot))->run();
}

}  // namespace edgecache::net
