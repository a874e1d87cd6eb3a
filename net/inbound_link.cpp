// One inbound peer connection: the handshake that proves who the peer is, then frames whose messages go to
// the node. Input is hostile: a header is checked before its payload is read, the buffer grows only as bytes
// arrive, a MAC is checked before a payload is decoded, and any violation closes this connection alone.

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "net/limits.h"
#include "net/peer_link_parts.h"

namespace edgecache::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

std::string remote_of(const tcp::socket& socket) {
  boost::system::error_code error;
  const tcp::endpoint endpoint = socket.remote_endpoint(error);
  if (error) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

// The address without its port: refusals are remembered per host, since a peer dials from a new port each time.
std::string host_of(const std::string& remote) {
  const auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

bool is_handshake(FrameKind kind) {
  return kind == FrameKind::hello || kind == FrameKind::auth_hello || kind == FrameKind::auth_challenge ||
         kind == FrameKind::auth_proof;
}

}  // namespace

void LinkContext::refuse(std::uint64_t& counter, const std::string& event, const std::string& address,
                         nlohmann::ordered_json fields) {
  ++counter;
  const bool first = refused_addresses.count(address) == 0;
  if (first && refused_addresses.size() < max_remembered_refused_addresses) refused_addresses.insert(address);
  logger.log(first ? LogLevel::warn : LogLevel::debug, event, std::move(fields));
}

InboundLink::InboundLink(tcp::socket socket, std::shared_ptr<LinkContext> shared, std::uint64_t serial)
    : shared_(std::move(shared)), serial_(serial), stream_(std::move(socket)), remote_(remote_of(stream_.socket())),
      buffer_(max_peer_link_buffer_bytes) {}

InboundLink::~InboundLink() { shared_->inbound.erase(serial_); }

void InboundLink::start() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    // The whole handshake must finish by then, so a connection that cannot prove itself holds a slot briefly.
    self->stream_.expires_after(std::chrono::milliseconds(hello_timeout_ms));
    self->do_read();
  });
}

void InboundLink::stop() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
}

void InboundLink::do_read() {
  // One chunk at a time whatever a header announces: memory follows the bytes that actually arrived.
  const std::size_t wanted = std::min(peer_read_chunk_bytes, buffer_.max_size() - buffer_.size());
  stream_.async_read_some(buffer_.prepare(wanted),
                          [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
                            self->on_read(error, bytes);
                          });
}

void InboundLink::on_read(const boost::system::error_code& error, std::size_t bytes) {
  if (closed_) return;
  if (error == beast::error::timeout) {
    if (!established_) return protocol_error("handshake not completed within hello_timeout_ms");
    return protocol_error(frame_started_ ? "frame not completed within partial_frame_timeout_ms"
                                         : "nothing received within peer_idle_timeout_ms");
  }
  if (error) {
    shared_->logger.log(established_ ? LogLevel::info : LogLevel::debug, "peer_inbound_closed",
                        {{"peer", peer()}, {"remote", remote_}, {"reason", error_reason(error)}});
    return close();
  }
  buffer_.commit(bytes);
  const std::size_t frames_before = shared_->counters.frames_received;
  if (!consume_frames()) return;
  if (established_) arm_read_deadline(shared_->counters.frames_received != frames_before);
  do_read();
}

void InboundLink::arm_read_deadline(bool frame_completed) {
  if (buffer_.size() == 0) {
    // Keepalives arrive every peer_keepalive_interval_ms from a live peer, so silence means it is gone. A
    // large frame's buffer is given back rather than kept for the link's lifetime.
    frame_started_ = false;
    if (buffer_.capacity() > 2 * peer_read_chunk_bytes) buffer_.shrink_to_fit();
    stream_.expires_after(std::chrono::milliseconds(peer_idle_timeout_ms));
  } else if (!frame_started_ || frame_completed) {
    // A frame, once begun, must finish within partial_frame_timeout_ms of its first byte.
    frame_started_ = true;
    stream_.expires_after(std::chrono::milliseconds(partial_frame_timeout_ms));
  }
}

bool InboundLink::consume_frames() {
  const std::size_t mac_bytes = macs_ ? auth_mac_bytes : 0;
  while (buffer_.size() >= frame_header_bytes) {
    const auto* bytes = static_cast<const std::uint8_t*>(buffer_.data().data());
    const std::span<const std::uint8_t, frame_header_bytes> header_bytes(bytes, frame_header_bytes);
    auto parsed = parse_frame_header(header_bytes);
    if (const auto* bad = std::get_if<FrameError>(&parsed)) {
      protocol_error(bad->reason);
      return false;
    }
    const FrameHeader header = std::get<FrameHeader>(parsed);
    // Decided from the header alone, before the payload is read: a connection that has not proved itself
    // can never make this link buffer more than a handshake frame.
    if (established_ == is_handshake(header.kind)) {
      protocol_error(established_ ? "handshake frame on an established link" : "message before the handshake");
      return false;
    }
    const std::size_t frame_bytes = frame_header_bytes + header.payload_bytes + (established_ ? mac_bytes : 0);
    if (buffer_.size() < frame_bytes) return true;

    const std::span<const std::uint8_t> payload(bytes + frame_header_bytes, header.payload_bytes);
    if (established_ && macs_) {
      AuthMac mac{};
      std::copy_n(bytes + frame_header_bytes + header.payload_bytes, auth_mac_bytes, mac.begin());
      if (!macs_->verify(header_bytes, payload, mac)) {
        refuse(shared_->counters.auth_refused, "frame MAC does not verify");
        return false;
      }
    }
    auto content = decode_frame_payload(header, payload);
    buffer_.consume(frame_bytes);
    if (const auto* bad = std::get_if<FrameError>(&content)) {
      protocol_error(bad->reason);
      return false;
    }
    auto& frame = std::get<FrameContent>(content);
    bool open = true;
    if (const auto* hello = std::get_if<Hello>(&frame)) {
      open = on_hello(*hello);
    } else if (const auto* auth_hello = std::get_if<AuthHello>(&frame)) {
      open = on_auth_hello(*auth_hello);
    } else if (const auto* proof = std::get_if<AuthProof>(&frame)) {
      open = on_auth_proof(*proof);
    } else if (std::holds_alternative<AuthChallenge>(frame)) {
      protocol_error("a dialer sent a challenge");
      open = false;
    } else if (std::holds_alternative<Keepalive>(frame)) {
      ++shared_->counters.keepalives_received;
    } else {
      ++shared_->counters.frames_received;
      shared_->deliver(peer_, std::move(std::get<Message>(frame)), header.lamport);
    }
    if (!open) return false;
  }
  return true;
}

bool InboundLink::claim(NodeId claimed, bool with_key) {
  if (peer_ != 0) {
    protocol_error("second hello on one connection");
    return false;
  }
  peer_ = claimed;
  if (shared_->key.has_value() != with_key) {
    refuse(shared_->counters.auth_refused, with_key ? "the peer uses a cluster key but this node runs with --insecure-peers"
                                                    : "unauthenticated hello: this node requires the cluster key");
    return false;
  }
  if (claimed == shared_->self || shared_->known_peers.count(claimed) == 0) {
    refuse(shared_->counters.unknown_peer_refused, "not a configured peer id");
    return false;
  }
  return true;
}

bool InboundLink::on_hello(const Hello& hello) {
  if (!claim(hello.sender, false)) return false;
  // Without a key nothing proves this hello, so it must not push out the link of a live peer; that link
  // idles out within peer_idle_timeout_ms if its peer is really gone.
  for (const auto& [serial, weak] : shared_->inbound) {
    if (auto other = weak.lock(); other && serial != serial_ && other->peer() == peer_) {
      refuse(shared_->counters.duplicate_peer_refused, "a live link already speaks for this id");
      return false;
    }
  }
  establish();
  return true;
}

bool InboundLink::on_auth_hello(const AuthHello& hello) {
  if (!claim(hello.dialer, true)) return false;
  if (hello.acceptor != shared_->self) {
    refuse(shared_->counters.auth_refused, "hello meant for node " + std::to_string(hello.acceptor));
    return false;
  }
  transcript_ = HandshakeTranscript{hello.dialer, shared_->self, hello.nonce, random_nonce()};
  challenge_ = std::make_shared<OutgoingFrame>(make_auth_challenge_frame(
      AuthChallenge{shared_->self, transcript_.acceptor_nonce, acceptor_proof(*shared_->key, transcript_)}));
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(challenge_->header), asio::buffer(challenge_->payload)};
  asio::async_write(stream_, buffers,
                    [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                      self->on_challenge_written(error);
                    });
  return true;
}

void InboundLink::on_challenge_written(const boost::system::error_code& error) {
  challenge_.reset();
  if (closed_ || !error) return;
  shared_->logger.debug("peer_inbound_closed", {{"remote", remote_}, {"reason", "writing the challenge: " + error_reason(error)}});
  close();
}

bool InboundLink::on_auth_proof(const AuthProof& proof) {
  if (!shared_->key || transcript_.dialer == 0) {
    protocol_error("proof before hello");
    return false;
  }
  if (!macs_equal(proof.proof, dialer_proof(*shared_->key, transcript_))) {
    refuse(shared_->counters.auth_refused, "wrong proof: the peer does not hold the cluster key");
    return false;
  }
  macs_ = std::make_unique<FrameMacs>(*shared_->key, transcript_);
  establish();
  return true;
}

void InboundLink::establish() {
  established_ = true;
  // One link per peer: a peer that connects again (it restarted, or its old connection is half-dead) has
  // just proved who it is, so its new link wins and the old one goes. (Without a key, on_hello refused a
  // second link before this.)
  for (auto& [serial, weak] : shared_->inbound) {
    auto other = weak.lock();
    if (serial == serial_ || !other || other->peer() != peer_) continue;
    ++shared_->counters.inbound_replaced;
    shared_->logger.info("peer_link_replaced", {{"peer", peer_}, {"remote", remote_}});
    other->stop();
  }
  shared_->logger.info("peer_connected", {{"peer", peer_}, {"remote", remote_}, {"direction", "inbound"}});
  stream_.expires_after(std::chrono::milliseconds(peer_idle_timeout_ms));
}

void InboundLink::refuse(std::uint64_t& counter, const std::string& reason) {
  nlohmann::ordered_json fields = {{"claimed", peer_}, {"remote", remote_}, {"reason", reason}};
  shared_->refuse(counter, "peer_refused", host_of(remote_), std::move(fields));
  close();
}

void InboundLink::protocol_error(const std::string& reason) {
  nlohmann::ordered_json fields = {{"peer", peer()}, {"remote", remote_}, {"reason", reason}};
  shared_->refuse(shared_->counters.protocol_errors, "peer_protocol_error", host_of(remote_), std::move(fields));
  close();
}

void InboundLink::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace edgecache::net
