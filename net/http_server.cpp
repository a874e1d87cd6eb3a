#include "net/http_server.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <limits>
#include <list>
#include <span>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "core/assert.h"
#include "net/acceptor.h"
#include "net/body_files.h"
#include "net/connection_deadline.h"
#include "net/http_response_head.h"
#include "net/limits.h"
#include "net/protocol_sniffer.h"
#include "net/rpc_session.h"

namespace edgecache::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

namespace {

class ProtocolSniffer;

// What the listener and its sessions share; sessions hold it by shared_ptr, so it outlives them all.
struct HttpShared {
  HttpShared(HttpHandler& handler_ref, Logger& logger_ref) : handler(handler_ref), logger(logger_ref) {}
  HttpHandler& handler;
  Logger& logger;
  HttpServerCounters counters;
  std::size_t open_sessions = 0;
  // Connections that have not sent a byte yet, oldest first. When every slot is taken, the oldest of these
  // is closed to make room, so idle connections cannot lock out clients that have something to say.
  std::list<std::weak_ptr<ProtocolSniffer>> silent;
};

bool is_http_parse_error(const boost::system::error_code& error) {
  return error.category() == http::make_error_code(http::error::bad_target).category();
}

// asio::async_write's default completion condition hands the socket at most 64 KiB per write_some, which
// turned a 256 KiB hit into five sendmsg calls and a slower, later-finishing response. This one offers
// everything that is left in each call (until an error), as Beast's serializer did; the kernel takes what
// fits in the socket's send buffer and the write continues when there is room.
std::size_t write_everything_at_once(const boost::system::error_code& error, std::size_t) {
  return error ? 0 : std::numeric_limits<std::size_t>::max();
}

// How long, at most, a session's deadline timer sleeps between looks at the session's deadline. It must not
// exceed the shortest timeout the session sets (ConnectionDeadline's requirement), and there is no gain in
// waking more often: a deadline is met exactly whenever it is due before the next look.
constexpr std::int64_t http_deadline_check_interval_ms = http_request_read_timeout_ms;
static_assert(http_deadline_check_interval_ms <= http_keep_alive_idle_timeout_ms &&
              http_deadline_check_interval_ms <= http_request_read_timeout_ms &&
              http_deadline_check_interval_ms <= http_write_timeout_ms);

// The part of `buffers` after their first `sent` bytes. REQUIRES: sent <= the buffers' total size.
std::array<asio::const_buffer, 2> unsent(const std::array<asio::const_buffer, 2>& buffers, std::size_t sent) {
  if (sent < buffers[0].size()) return {buffers[0] + sent, buffers[1]};
  return {buffers[1] + (sent - buffers[0].size()), asio::const_buffer()};
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `initial` holds the bytes the protocol sniffer already read; `connection_slot` counts the connection.
  HttpSession(tcp::socket socket, std::shared_ptr<HttpShared> shared, beast::flat_buffer initial,
              std::shared_ptr<void> connection_slot)
      : socket_(std::move(socket)), deadline_(socket_.get_executor(), milliseconds(http_deadline_check_interval_ms)),
        shared_(std::move(shared)), buffer_(std::move(initial)), connection_slot_(std::move(connection_slot)) {}

  void run() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      // do_write's first attempt must not block the daemon's only thread; a socket that cannot be made
      // non-blocking is not worth serving.
      boost::system::error_code error;
      self->socket_.non_blocking(true, error);
      if (error) return self->close();
      // Expiry closes the socket, which ends whatever read or write is pending with an error.
      self->deadline_.start(self->weak_from_this(), [session = self.get()] { session->close(); });
      self->do_wait_for_request();
    });
  }

 private:
  // Waiting for a request and reading one have different deadlines: a keep-alive connection may idle for
  // http_keep_alive_idle_timeout_ms, but once a request's first byte arrives the whole request must follow
  // within http_request_read_timeout_ms.
  //
  // The wait is a readiness wait rather than a read. A read started right after a response finds nothing
  // yet (the client is still reading the response), so asio's first, speculative recvmsg failed with
  // EAGAIN on nearly every request. The wait costs an epoll_ctl instead (asio re-arms the descriptor for a
  // wait), which took 1.1 µs here against 1.5 µs for the failed recvmsg, and the read that follows it
  // finds the request.
  void do_wait_for_request() {
    if (buffer_.size() > 0) return do_read_request();  // The client pipelined the next request.
    deadline_.expire_after(milliseconds(http_keep_alive_idle_timeout_ms));
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& error) {
      self->on_readable(error);
    });
  }

  void on_readable(const boost::system::error_code& error) {
    if (error) return close();  // The idle deadline closed the socket.
    do_read_request();  // Readable may also mean the client left; the read then says so.
  }

  void do_read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(max_http_header_bytes));
    parser_->body_limit(0);  // No route takes a body; a declared or chunked body is refused with 413.
    deadline_.expire_after(milliseconds(http_request_read_timeout_ms));
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                       self->on_read_request(error);
                     });
  }

  void on_read_request(const boost::system::error_code& error) {
    if (error == http::error::body_limit || error == http::error::unexpected_body) {
      return respond_and_close(413, "request bodies are not accepted\n");
    }
    if (error == http::error::header_limit || error == http::error::buffer_overflow) {
      return respond_and_close(431, "request header too large\n");
    }
    if (error && error != http::error::end_of_stream && is_http_parse_error(error)) {
      return respond_and_close(400, "malformed request\n");
    }
    if (error) return close();  // Timeout, reset, or the client closed between requests.

    const auto& wire = parser_->get();
    ++shared_->counters.requests;
    HttpRequest request;
    request.method = wire.method() == http::verb::get    ? HttpMethod::get
                     : wire.method() == http::verb::head ? HttpMethod::head
                                                         : HttpMethod::other;
    request.target = std::string(wire.target());
    request.if_none_match = std::string(wire[http::field::if_none_match]);
    request.accepts_file_body = true;
    keep_alive_ = wire.keep_alive();
    version_ = wire.version();
    head_ = request.method == HttpMethod::head;
    // The handler may answer later (an edge fetching from the origin); no read is pending meanwhile, and the
    // handler guarantees an answer within its own deadline, so the connection has none until then.
    deadline_.expire_never();
    shared_->handler.handle(request, [self = shared_from_this()](HttpResponse response) {
      asio::post(self->socket_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->do_write(std::move(response)); });
    });
  }

  void respond_and_close(unsigned status, std::string text) {
    keep_alive_ = false;
    head_ = false;
    version_ = 11;
    HttpResponse response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    response.text = std::move(text);
    do_write(std::move(response));
  }

  // A response goes out as one gather write: the head rendered into head_bytes_ (whose capacity stays with
  // the session, so a hit allocates nothing here) and the body, which points into the cached image.
  //
  // The write is tried at once, on the non-blocking socket. A response nearly always fits in the socket's
  // send buffer, and is then finished without an asynchronous operation and the trip through the scheduler
  // that completing one takes; whatever does not fit goes out asynchronously. The deadline set here bounds
  // the whole write, however many write_some calls asio::async_write needs for the rest.
  //
  // An image that comes with its disk cache file (HttpResponse::image_file) is sent from the file instead,
  // by continue_file_write; a HEAD or a 304 has no body to send and takes the path above.
  void do_write(HttpResponse response) {
    held_ = std::move(response);
    std::span<const char> body = held_.text;
    if (held_.image) {
      const auto bytes = held_.image->bytes();
      body = {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }
    ResponseHead head{.version = version_, .status = held_.status, .headers = &held_.headers,
                      .content_length = std::nullopt, .keep_alive = keep_alive_};
    const bool bodiless_status = held_.status == 304 || held_.status == 204 || held_.status < 200;
    if (head_) {
      head.content_length = held_.head_content_length.value_or(body.size());
      body = {};
    } else if (!bodiless_status) {
      head.content_length = body.size();
    }
    head_bytes_.clear();
    append_response_head(head_bytes_, head);
    deadline_.expire_after(milliseconds(http_write_timeout_ms));
    if (held_.image_file && !head_ && !bodiless_status) {
      EC_ASSERT(held_.image_file->size_bytes() == body.size(), "an image's file must hold exactly its bytes");
      head_bytes_sent_ = 0;
      file_bytes_sent_ = 0;
      return continue_file_write();
    }
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_bytes_), asio::buffer(body.data(), body.size())};
    boost::system::error_code error;
    const std::size_t sent = socket_.send(buffers, 0, error);
    if (error && error != asio::error::would_block) return on_write(error);
    if (sent == asio::buffer_size(buffers)) return on_write({});
    asio::async_write(socket_, unsent(buffers, sent), write_everything_at_once,
                      [self = shared_from_this()](const boost::system::error_code& write_error, std::size_t) {
                        self->on_write(write_error);
                      });
  }

  // A body from the disk cache's file goes out without a copy into the socket: the head with send(MSG_MORE),
  // which holds it back to leave in one segment with the body's first bytes, then the file with sendfile(2).
  // Both are tried at once, on the non-blocking socket; when the socket is full, the session waits for
  // writability and continues where it stopped, under the deadline do_write set for the whole response.
  // held_ keeps the file open until on_write, even if the image is evicted and its file deleted meanwhile.
  void continue_file_write() {
    if (!socket_.is_open()) return on_write(asio::error::operation_aborted);  // The deadline closed it.
    const int socket_descriptor = socket_.native_handle();
    while (head_bytes_sent_ < head_bytes_.size()) {
      const ssize_t sent = ::send(socket_descriptor, head_bytes_.data() + head_bytes_sent_,
                                  head_bytes_.size() - head_bytes_sent_, MSG_MORE | MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_to_continue_file_write();
      if (sent < 0) return on_write(boost::system::error_code(errno, boost::system::system_category()));
      head_bytes_sent_ += static_cast<std::size_t>(sent);
    }
    const BodyFile& file = *held_.image_file;
    while (file_bytes_sent_ < file.size_bytes()) {
      auto offset = static_cast<off_t>(file_bytes_sent_);
      const ssize_t sent = ::sendfile(socket_descriptor, file.descriptor(), &offset,
                                      static_cast<std::size_t>(file.size_bytes() - file_bytes_sent_));
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_to_continue_file_write();
      if (sent < 0) return on_write(boost::system::error_code(errno, boost::system::system_category()));
      // The file ended early (it was checked for the body's size when opened, so something outside the
      // daemon truncated it). The head promised more bytes than there are; closing is the honest end.
      if (sent == 0) return on_write(asio::error::eof);
      file_bytes_sent_ += static_cast<std::uint64_t>(sent);
    }
    on_write({});
  }

  void wait_to_continue_file_write() {
    socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](const boost::system::error_code& error) {
      if (error) return self->on_write(error);  // The deadline closed the socket.
      self->continue_file_write();
    });
  }

  void on_write(const boost::system::error_code& error) {
    held_ = HttpResponse{};
    if (error || !keep_alive_) return close();
    do_wait_for_request();
  }

  // Safe to call more than once: the deadline's expiry and the failed operation it causes both end here.
  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  ConnectionDeadline deadline_;  // Bounds every wait, read and write on socket_.
  std::shared_ptr<HttpShared> shared_;
  beast::flat_buffer buffer_;
  std::shared_ptr<void> connection_slot_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  HttpResponse held_;      // Owns the body bytes (or their file) being written until the write completes.
  std::string head_bytes_;  // The status line and header fields being written.
  std::size_t head_bytes_sent_ = 0;    // How far a write from a file has come: through the head ...
  std::uint64_t file_bytes_sent_ = 0;  // ... and through the file.
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
};

// Holds one place among max_http_connections for as long as any session object for the connection lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<HttpShared> shared) : shared_(std::move(shared)) { ++shared_->open_sessions; }
  ~ConnectionSlot() { --shared_->open_sessions; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<HttpShared> shared_;
};

// Reads a new connection's first bytes and hands it to an HTTP or an original-RPC session according to
// classify_client_bytes. The bytes read so far go along, so neither session misses any.
class ProtocolSniffer : public std::enable_shared_from_this<ProtocolSniffer> {
 public:
  ProtocolSniffer(tcp::socket socket, std::shared_ptr<HttpShared> shared)
      : stream_(std::move(socket)), shared_(shared), slot_(std::make_shared<ConnectionSlot>(std::move(shared))),
        buffer_(max_http_buffer_bytes) {}

  void run() {
    // An idle connection that never speaks is held no longer than an idle keep-alive connection would be.
    stream_.expires_after(std::chrono::milliseconds(http_keep_alive_idle_timeout_ms));
    silent_position_ = shared_->silent.insert(shared_->silent.end(), weak_from_this());
    silent_ = true;
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  // Closes a connection that never spoke, to free its slot; the pending read then ends with an error.
  // REQUIRES: the caller already took this sniffer off the silent list.
  void evict() {
    silent_ = false;
    boost::system::error_code ignored;
    stream_.socket().close(ignored);
  }

 private:
  void stop_being_silent() {
    if (!silent_) return;
    shared_->silent.erase(silent_position_);
    silent_ = false;
  }

  void do_read() {
    stream_.async_read_some(buffer_.prepare(buffer_.max_size() - buffer_.size()),
                            [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
                              self->on_read(error, bytes);
                            });
  }

  void on_read(const boost::system::error_code& error, std::size_t bytes) {
    stop_being_silent();
    if (error) {
      boost::system::error_code ignored;
      stream_.socket().close(ignored);
      return;
    }
    buffer_.commit(bytes);
    const std::span<const std::uint8_t> seen(static_cast<const std::uint8_t*>(buffer_.data().data()), buffer_.size());
    switch (classify_client_bytes(seen)) {
      case ClientProtocol::undecided:
        // Once the first byte arrived, the rest of a request line is due within the request read timeout,
        // counted from that first byte only, so trickling bytes cannot extend it.
        if (buffer_.size() == bytes) stream_.expires_after(std::chrono::milliseconds(http_request_read_timeout_ms));
        return do_read();
      case ClientProtocol::http:
        ++shared_->counters.http_connections;
        stream_.expires_never();
        std::make_shared<HttpSession>(stream_.release_socket(), shared_, std::move(buffer_), std::move(slot_))->run();
        return;
      case ClientProtocol::rpc:
        ++shared_->counters.rpc_connections;
        stream_.expires_never();
        start_rpc_session(stream_.release_socket(), seen, shared_->handler, std::move(slot_));
        return;
    }
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpShared> shared_;
  std::shared_ptr<ConnectionSlot> slot_;
  beast::flat_buffer buffer_;
  std::list<std::weak_ptr<ProtocolSniffer>>::iterator silent_position_;
  bool silent_ = false;  // Whether silent_position_ is on shared_->silent.
};

}  // namespace

class HttpServer::Listener : public std::enable_shared_from_this<HttpServer::Listener> {
 public:
  Listener(asio::io_context& context, std::shared_ptr<HttpShared> shared)
      : context_(context), shared_(std::move(shared)), acceptor_(asio::make_strand(context)), retry_timer_(context) {}

  std::optional<std::string> open(const Address& address) { return open_acceptor(context_, acceptor_, address); }

  void start() { do_accept(); }

  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  }

  HttpShared& shared() { return *shared_; }

 private:
  void do_accept() {
    // Sessions run on the io_context's own executor, not on a strand each: the daemon runs the context on
    // exactly one thread (net/daemon.cpp), so a strand would serialize nothing, and passing every completion
    // of every connection through one was about a quarter of the edge's user-space time per cache hit.
    // Running the context on more threads would need the strands back.
    acceptor_.async_accept(context_.get_executor(),
                           [self = shared_from_this()](const boost::system::error_code& error, tcp::socket socket) {
                             self->on_accept(error, std::move(socket));
                           });
  }

  void on_accept(const boost::system::error_code& error, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (error) {
      // Out of file descriptors, typically. Retrying at once would spin and flood the log; pausing lets
      // sessions end and free descriptors.
      shared_->logger.warn("http_accept_failed", {{"reason", error.message()}});
      retry_timer_.expires_after(std::chrono::milliseconds(accept_error_backoff_ms));
      retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_error) {
        if (!wait_error) self->do_accept();
      });
      return;
    } else if (shared_->open_sessions >= max_http_connections && !shared_->silent.empty()) {
      // Full, but the oldest connection that never spoke gives way. Its slot frees once its read ends, so
      // for a moment one more than max_http_connections may be open.
      const std::shared_ptr<ProtocolSniffer> oldest = shared_->silent.front().lock();
      shared_->silent.pop_front();
      if (oldest) oldest->evict();
      ++shared_->counters.connections_evicted_silent;
      ++shared_->counters.connections_accepted;
      std::make_shared<ProtocolSniffer>(std::move(socket), shared_)->run();
    } else if (shared_->open_sessions >= max_http_connections) {
      // Closing at once is the cheapest answer a saturated server can give; clients retry elsewhere.
      ++shared_->counters.connections_rejected;
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      ++shared_->counters.connections_accepted;
      std::make_shared<ProtocolSniffer>(std::move(socket), shared_)->run();
    }
    do_accept();
  }

  asio::io_context& context_;
  std::shared_ptr<HttpShared> shared_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
};

HttpServer::HttpServer(asio::io_context& context, HttpHandler& handler, Logger& logger)
    : context_(context), handler_(handler), logger_(logger) {}

HttpServer::~HttpServer() { stop(); }

std::optional<std::string> HttpServer::listen(const Address& address) {
  listener_ = std::make_shared<Listener>(context_, std::make_shared<HttpShared>(handler_, logger_));
  if (auto error = listener_->open(address)) {
    listener_.reset();
    return error;
  }
  listener_->start();
  return std::nullopt;
}

void HttpServer::stop() {
  if (listener_) listener_->stop();
}

const HttpServerCounters& HttpServer::counters() const {
  static const HttpServerCounters none;
  return listener_ ? listener_->shared().counters : none;
}

}  // namespace edgecache::net
