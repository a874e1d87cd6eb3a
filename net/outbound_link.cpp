// One outbound peer connection: dial (resolving the name each time), do the handshake, then write queued
// frames, each signed for this connection. After the handshake the connection is only ever written; a read
// stays pending solely to notice the peer closing it.

#include <array>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
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
    self->macs_.reset();
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
  // The queue is empty here: sends while down were dropped. The handshake goes first, as the receiver requires.
  if (!shared_->key) {
    queue_.push_back(make_hello_frame(shared_->self));
    queued_bytes_ += queue_.back().size_bytes();
    do_write();
    return on_authenticated();
  }
  state_ = State::authenticating;
  nonce_ = random_nonce();
  queue_.push_back(make_auth_hello_frame(AuthHello{shared_->self, peer_, nonce_}));
  queued_bytes_ += queue_.back().size_bytes();
  do_write();
  do_read_challenge();
}

void OutboundLink::do_read_challenge() {
  // The acceptor answers at once; one deadline covers the hello's write and the challenge's read.
  stream_->expires_after(std::chrono::milliseconds(hello_timeout_ms));
  asio::async_read(*stream_, asio::buffer(challenge_bytes_),
                   asio::bind_executor(strand_, [self = shared_from_this(), attempt = attempt_](
                                                    const boost::system::error_code& error, std::size_t) {
                     self->on_read_challenge(attempt, error);
                   }));
}

void OutboundLink::on_read_challenge(std::uint64_t attempt, const boost::system::error_code& error) {
  if (attempt != attempt_ || state_ != State::authenticating) return;
  auto refused = [&](const std::string& reason) {
    nlohmann::ordered_json fields = {{"peer", peer_}, {"address", address_.to_string()}, {"reason", reason}};
    shared_->refuse(shared_->counters.outbound_auth_failed, "peer_auth_failed", address_.to_string(), std::move(fields));
    fail("handshake failed: " + reason);
  };
  if (error) {
    return refused("no challenge (" + error_reason(error) +
                   "): the peer may not list this node, or run with another key or with --insecure-peers");
  }
  const std::span<const std::uint8_t, frame_header_bytes> header_bytes(challenge_bytes_.data(), frame_header_bytes);
  const auto header = parse_frame_header(header_bytes);
  const auto* parsed = std::get_if<FrameHeader>(&header);
  if (parsed == nullptr || parsed->kind != FrameKind::auth_challenge || parsed->payload_bytes != auth_challenge_payload_bytes) {
    return refused("the peer's first frame is not a challenge");
  }
  const auto content = decode_frame_payload(
      *parsed, std::span<const std::uint8_t>(challenge_bytes_.data() + frame_header_bytes, auth_challenge_payload_bytes));
  const auto* challenge = std::get_if<FrameContent>(&content) ? std::get_if<AuthChallenge>(&std::get<FrameContent>(content)) : nullptr;
  if (challenge == nullptr) return refused("malformed challenge");
  if (challenge->acceptor != peer_) return refused("the peer says it is node " + std::to_string(challenge->acceptor));
  const HandshakeTranscript transcript{shared_->self, peer_, nonce_, challenge->nonce};
  if (!macs_equal(challenge->proof, acceptor_proof(*shared_->key, transcript))) {
    return refused("wrong proof: the peer does not hold the cluster key");
  }
  // The proof goes out unsigned, as the handshake's last frame; every frame queued after it is signed.
  queue_.push_back(make_auth_proof_frame(AuthProof{dialer_proof(*shared_->key, transcript)}));
  queued_bytes_ += queue_.back().size_bytes();
  macs_ = std::make_unique<FrameMacs>(*shared_->key, transcript);
  if (!writing_) do_write();
  on_authenticated();
}

void OutboundLink::on_authenticated() {
  state_ = State::connected;
  proven_ = false;
  // In a streak of links that die at once (backoff above its minimum) each new one is not news.
  shared_->logger.log(backoff_ms_ == reconnect_initial_backoff_ms ? LogLevel::info : LogLevel::debug, "peer_connected",
                      {{"peer", peer_}, {"address", address_.to_string()}, {"direction", "outbound"}});
  do_watch_for_close();
  do_keepalive();
}

void OutboundLink::do_keepalive() {
  timer_.expires_after(std::chrono::milliseconds(peer_keepalive_interval_ms));
  timer_.async_wait([self = shared_from_this(), attempt = attempt_](const boost::system::error_code& error) {
    self->on_keepalive(attempt, error);
  });
}

void OutboundLink::on_keepalive(std::uint64_t attempt, const boost::system::error_code& error) {
  if (error || attempt != attempt_ || state_ != State::connected) return;
  // A link that has stayed up for a whole interval works: only now does the backoff start again from its
  // minimum, so a peer that closes every link at once (an insecure node dialling one that wants the key)
  // is dialled ever more slowly rather than in a tight loop.
  proven_ = true;
  backoff_ms_ = reconnect_initial_backoff_ms;
  // Only a link that wrote nothing for a whole interval needs one; a busy link proves itself alive.
  if (!wrote_since_keepalive_ && queue_.empty() && !writing_) {
    ++shared_->counters.keepalives_sent;
    queue_.push_back(make_keepalive_frame());
    queued_bytes_ += queue_.back().size_bytes();
    do_write();
  }
  wrote_since_keepalive_ = false;
  do_keepalive();
}

void OutboundLink::do_write() {
  writing_ = true;
  stream_->expires_after(std::chrono::milliseconds(peer_write_timeout_ms));
  // The frame in flight leaves the queue and travels with the completion handler, so clearing the queue
  // after a failure can never free bytes a write is still using.
  auto frame = std::make_shared<OutgoingFrame>(std::move(queue_.front()));
  queue_.pop_front();
  // Frames are signed as they go out, since a frame's MAC covers its place in this connection's sequence.
  if (macs_ && (frame->kind() == FrameKind::message || frame->kind() == FrameKind::keepalive)) {
    frame->mac = macs_->sign(frame->header, frame->payload);
    queued_bytes_ += auth_mac_bytes;
  }
  const std::array<asio::const_buffer, 3> buffers{asio::buffer(frame->header), asio::buffer(frame->payload),
                                                  frame->mac ? asio::buffer(*frame->mac) : asio::const_buffer()};
  asio::async_write(*stream_, buffers,
                    [self = shared_from_this(), attempt = attempt_, frame](const boost::system::error_code& error,
                                                                           std::size_t) {
                      self->on_write(attempt, error, frame->size_bytes());
                    });
}

void OutboundLink::on_write(std::uint64_t attempt, const boost::system::error_code& error, std::size_t frame_bytes) {
  if (attempt != attempt_ || (state_ != State::connected && state_ != State::authenticating)) return;
  writing_ = false;
  queued_bytes_ -= frame_bytes;
  if (error) return fail("write to peer: " + error_reason(error));
  ++shared_->counters.frames_sent;
  wrote_since_keepalive_ = true;
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
  const bool was_connected = state_ == State::connected && proven_;
  macs_.reset();
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
