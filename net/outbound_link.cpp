// One outbound peer connection: dial (resolving the name each time), say hello, then write queued frames.
// The connection is only ever written; a read stays pending solely to notice the peer closing it.

#include <array>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "net/limits.h"
#include "net/peer_link_parts.h"

namespace edgecache::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

OutboundLink::OutboundLink(asio::io_context& context, std::shared_ptr<LinkContext> shared, NodeId peer,
                           Address address)
    : shared_(std::move(shared)), peer_(peer), address_(std::move(address)), strand_(asio::make_strand(context)),
      resolver_(strand_), timer_(strand_), backoff_ms_(reconnect_initial_backoff_ms) {}

void OutboundLink::start() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_ == State::idle) self->do_resolve();
  });
}

void OutboundLink::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->state_ = State::stopped;
    ++self->attempt_;
    self->resolver_.cancel();
    self->timer_.cancel();
    self->close_stream();
    self->queue_.clear();
    self->queued_bytes_ = 0;
  });
}

void OutboundLink::send(OutgoingFrame frame) {
  asio::post(strand_, [self = shared_from_this(), frame = std::move(frame)]() mutable {
    PeerLinkCounters& counters = self->shared_->counters;
    if (self->state_ != State::connected) {
      ++counters.dropped_peer_down;
      return;
    }
    if (self->queue_.size() >= max_queued_frames_per_peer ||
        self->queued_bytes_ + frame.size_bytes() > max_queued_bytes_per_peer) {
      ++counters.dropped_queue_full;
      return;
    }
    self->queued_bytes_ += frame.size_bytes();
    self->queue_.push_back(std::move(frame));
    if (!self->writing_) self->do_write();
  });
}

void OutboundLink::do_resolve() {
  state_ = State::resolving;
  const std::uint64_t attempt = ++attempt_;
  // One deadline covers resolving and connecting: a hung DNS server must not stall the link forever.
  timer_.expires_after(std::chrono::milliseconds(connect_timeout_ms));
  timer_.async_wait([self = shared_from_this(), attempt](const boost::system::error_code& error) {
    self->on_attempt_deadline(attempt, error);
  });
  resolver_.async_resolve(address_.host, std::to_string(address_.port),
                          [self = shared_from_this(), attempt](const boost::system::error_code& error,
                                                               const tcp::resolver::results_type& results) {
                            self->on_resolve(attempt, error, results);
                          });
}

void OutboundLink::on_resolve(std::uint64_t attempt, const boost::system::error_code& error,
                              const tcp::resolver::results_type& results) {
  if (attempt != attempt_ || state_ != State::resolving) return;
  if (error) return fail("resolve " + address_.to_string() + ": " + error_reason(error));
  state_ = State::connecting;
  stream_ = std::make_unique<beast::tcp_stream>(strand_);
  stream_->async_connect(results, [self = shared_from_this(), attempt](const boost::system::error_code& connect_error,
                                                                       const tcp::endpoint&) {
    self->on_connect(attempt, connect_error);
  });
}

void OutboundLink::on_attempt_deadline(std::uint64_t attempt, const boost::system::error_code& error) {
  if (error || attempt != attempt_) return;
  if (state_ == State::resolving || state_ == State::connecting) {
    fail("connect to " + address_.to_string() + " timed out after " + std::to_string(connect_timeout_ms) + " ms");
  }
}

void OutboundLink::on_connect(std::uint64_t attempt, const boost::system::error_code& error) {
  if (attempt != attempt_ || state_ != State::connecting) return;
  if (error) return fail("connect to " + address_.to_string() + ": " + error_reason(error));
  timer_.cancel();
  state_ = State::connected;
  backoff_ms_ = reconnect_initial_backoff_ms;
  shared_->logger.info("peer_connected", {{"peer", peer_}, {"address", address_.to_string()}, {"direction", "outbound"}});
  // The queue is empty here: sends while down were dropped. The hello goes first, as the receiver requires.
  OutgoingFrame hello = make_hello_frame(shared_->self);
  queued_bytes_ += hello.size_bytes();
  queue_.push_back(std::move(hello));
  do_write();
  do_watch_for_close();
}

void OutboundLink::do_write() {
  writing_ = true;
  stream_->expires_after(std::chrono::milliseconds(peer_write_timeout_ms));
  // The frame in flight leaves the queue and travels with the completion handler, so clearing the queue
  // after a failure can never free bytes a write is still using.
  auto frame = std::make_shared<OutgoingFrame>(std::move(queue_.front()));
  queue_.pop_front();
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(frame->header), asio::buffer(frame->payload)};
  asio::async_write(*stream_, buffers,
                    [self = shared_from_this(), attempt = attempt_, frame](const boost::system::error_code& error,
                                                                           std::size_t) {
                      self->on_write(attempt, error, frame->size_bytes());
                    });
}

void OutboundLink::on_write(std::uint64_t attempt, const boost::system::error_code& error, std::size_t frame_bytes) {
  if (attempt != attempt_ || state_ != State::connected) return;
  writing_ = false;
  queued_bytes_ -= frame_bytes;
  if (error) return fail("write to peer: " + error_reason(error));
  ++shared_->counters.frames_sent;
  if (!queue_.empty()) do_write();
}

void OutboundLink::do_watch_for_close() {
  // The peer never writes on this connection, so the read has no deadline: it completes only when the peer
  // closes, the connection breaks, or the peer misbehaves.
  stream_->socket().async_read_some(
      asio::buffer(&unexpected_byte_, 1),
      asio::bind_executor(strand_, [self = shared_from_this(), attempt = attempt_](
                                       const boost::system::error_code& error, std::size_t bytes) {
        self->on_watch_for_close(attempt, error, bytes);
      }));
}

void OutboundLink::on_watch_for_close(std::uint64_t attempt, const boost::system::error_code& error, std::size_t) {
  if (attempt != attempt_ || state_ != State::connected) return;
  if (error) return fail("peer closed the link: " + error_reason(error));
  ++shared_->counters.protocol_errors;
  fail("peer wrote on an outbound-only link");
}

void OutboundLink::fail(const std::string& what) {
  if (state_ == State::stopped || shared_->stopped) return;
  const bool was_connected = state_ == State::connected;
  // A peer that is simply not up yet would log a line every backoff; only losing a live link is news.
  shared_->logger.log(was_connected ? LogLevel::warn : LogLevel::debug, was_connected ? "peer_disconnected" : "peer_connect_failed",
                      {{"peer", peer_}, {"address", address_.to_string()}, {"reason", what},
                       {"dropped_frames", queue_.size()}});
  ++attempt_;
  resolver_.cancel();
  close_stream();
  shared_->counters.dropped_peer_down += queue_.size();
  queue_.clear();
  queued_bytes_ = 0;
  writing_ = false;

  // Full jitter on the upper half keeps restarted peers from dialling in lockstep.
  state_ = State::backing_off;
  const auto half = static_cast<std::uint64_t>(backoff_ms_ / 2);
  const std::int64_t delay_ms = backoff_ms_ - static_cast<std::int64_t>(half == 0 ? 0 : shared_->random() % (half + 1));
  backoff_ms_ = std::min(backoff_ms_ * 2, reconnect_max_backoff_ms);
  timer_.expires_after(std::chrono::milliseconds(delay_ms));
  timer_.async_wait([self = shared_from_this(), attempt = attempt_](const boost::system::error_code& error) {
    if (error || attempt != self->attempt_ || self->state_ != State::backing_off) return;
    self->do_resolve();
  });
}

void OutboundLink::close_stream() {
  if (!stream_) return;
  boost::system::error_code ignored;
  stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_->close();
  stream_.reset();
}

}  // namespace edgecache::net
