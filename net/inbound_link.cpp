// One inbound peer connection: wait for the hello that names the peer, then read frames and hand each
// decoded message to the node. Input is hostile: lengths are checked before buffering, checksums before
// decoding, and any violation closes this connection alone.

#include <algorithm>

#include <boost/asio/post.hpp>

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

}  // namespace

InboundLink::InboundLink(tcp::socket socket, std::shared_ptr<LinkContext> shared, std::uint64_t serial)
    : shared_(std::move(shared)), serial_(serial), stream_(std::move(socket)), remote_(remote_of(stream_.socket())),
      buffer_(frame_header_bytes + max_frame_payload_bytes) {}

InboundLink::~InboundLink() { shared_->inbound.erase(serial_); }

void InboundLink::start() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    // A silent connection that never says who it is must not hold a slot for long.
    self->stream_.expires_after(std::chrono::milliseconds(hello_timeout_ms));
    self->do_read();
  });
}

void InboundLink::stop() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
}

void InboundLink::do_read() {
  // Read what is there, up to what the current frame still needs (at least a chunk), never past the buffer's
  // bound, which is one maximal frame.
  std::size_t wanted = peer_read_chunk_bytes;
  if (buffer_.size() >= frame_header_bytes) {
    std::array<std::uint8_t, frame_header_bytes> header_bytes{};
    std::copy_n(static_cast<const std::uint8_t*>(buffer_.data().data()), frame_header_bytes, header_bytes.begin());
    const auto parsed = parse_frame_header(header_bytes);
    if (const auto* header = std::get_if<FrameHeader>(&parsed)) {
      wanted = std::max(wanted, frame_header_bytes + header->payload_bytes - buffer_.size());
    }
  }
  wanted = std::min(wanted, buffer_.max_size() - buffer_.size());
  stream_.async_read_some(buffer_.prepare(wanted),
                          [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
                            self->on_read(error, bytes);
                          });
}

void InboundLink::on_read(const boost::system::error_code& error, std::size_t bytes) {
  if (closed_) return;
  if (error == beast::error::timeout) {
    return protocol_error(peer_ == 0 ? "no hello within hello_timeout_ms" : "frame not completed within partial_frame_timeout_ms");
  }
  if (error) {
    shared_->logger.log(peer_ == 0 ? LogLevel::debug : LogLevel::info, "peer_inbound_closed",
                        {{"peer", peer_}, {"remote", remote_}, {"reason", error_reason(error)}});
    return close();
  }
  buffer_.commit(bytes);
  const std::size_t frames_before = shared_->counters.frames_received;
  if (!consume_frames()) return;
  if (peer_ != 0) {
    // An established link may idle for ever (two followers have nothing to say to each other), but a frame,
    // once begun, must finish within partial_frame_timeout_ms of its first byte.
    const bool frame_completed = shared_->counters.frames_received != frames_before;
    if (buffer_.size() == 0) {
      frame_started_ = false;
      stream_.expires_never();
    } else if (!frame_started_ || frame_completed) {
      frame_started_ = true;
      stream_.expires_after(std::chrono::milliseconds(partial_frame_timeout_ms));
    }
  }
  do_read();
}

bool InboundLink::consume_frames() {
  while (buffer_.size() >= frame_header_bytes) {
    const auto* bytes = static_cast<const std::uint8_t*>(buffer_.data().data());
    std::array<std::uint8_t, frame_header_bytes> header_bytes{};
    std::copy_n(bytes, frame_header_bytes, header_bytes.begin());
    auto parsed = parse_frame_header(header_bytes);
    if (const auto* bad = std::get_if<FrameError>(&parsed)) {
      protocol_error(bad->reason);
      return false;
    }
    const FrameHeader header = std::get<FrameHeader>(parsed);
    const std::size_t frame_bytes = frame_header_bytes + header.payload_bytes;
    if (buffer_.size() < frame_bytes) return true;

    auto content = decode_frame_payload(header, std::span<const std::uint8_t>(bytes + frame_header_bytes, header.payload_bytes));
    buffer_.consume(frame_bytes);
    if (const auto* bad = std::get_if<FrameError>(&content)) {
      protocol_error(bad->reason);
      return false;
    }
    auto& frame = std::get<FrameContent>(content);
    if (const auto* hello = std::get_if<Hello>(&frame)) {
      if (peer_ != 0) {
        protocol_error("second hello on one connection");
        return false;
      }
      if (hello->sender == shared_->self || shared_->known_peers.count(hello->sender) == 0) {
        protocol_error("hello from unconfigured node " + std::to_string(hello->sender));
        return false;
      }
      peer_ = hello->sender;
      stream_.expires_never();
      shared_->logger.info("peer_connected", {{"peer", peer_}, {"remote", remote_}, {"direction", "inbound"}});
      continue;
    }
    if (peer_ == 0) {
      protocol_error("message before hello");
      return false;
    }
    ++shared_->counters.frames_received;
    shared_->deliver(peer_, std::move(std::get<Message>(frame)), header.lamport);
  }
  return true;
}

void InboundLink::protocol_error(const std::string& reason) {
  ++shared_->counters.protocol_errors;
  shared_->logger.warn("peer_protocol_error", {{"peer", peer_}, {"remote", remote_}, {"reason", reason}});
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
