#pragma once
// The connection classes behind PeerLinks (net/peer_links.h), one per direction, and the state they share.
// Internal to net/: only peer_links.cpp and the two link files include this.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/frame.h"
#include "net/peer_links.h"

namespace edgecache::net {

class InboundLink;

// What every link of one PeerLinks shares. Links hold it by shared_ptr, so it outlives any handler that is
// still queued when PeerLinks goes away.
struct LinkContext {
  LinkContext(NodeId self_id, std::set<NodeId> known, Logger& log, PeerLinks::DeliverFunction deliver_function)
      : self(self_id), known_peers(std::move(known)), logger(log), deliver(std::move(deliver_function)),
        random(std::random_device{}()) {}

  NodeId self;
  std::set<NodeId> known_peers;
  Logger& logger;
  PeerLinks::DeliverFunction deliver;
  PeerLinkCounters counters;
  std::mt19937_64 random;  // Reconnect jitter only.
  bool stopped = false;
  std::uint64_t next_inbound_serial = 1;
  std::map<std::uint64_t, std::weak_ptr<InboundLink>> inbound;  // By serial, so iteration order is stable.
};

// Describes a network failure as a short sentence. Asio's error codes stop here (STYLE item 14).
std::string error_reason(const boost::system::error_code& error);

class OutboundLink : public std::enable_shared_from_this<OutboundLink> {
 public:
  OutboundLink(boost::asio::io_context& context, std::shared_ptr<LinkContext> shared, NodeId peer, Address address);

  void start();
  void stop();
  void send(OutgoingFrame frame);
  bool connected() const { return state_ == State::connected; }

 private:
  enum class State : std::uint8_t { idle, resolving, connecting, connected, backing_off, stopped };
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  void do_resolve();
  void on_resolve(std::uint64_t attempt, const boost::system::error_code& error,
                  const boost::asio::ip::tcp::resolver::results_type& results);
  void on_connect(std::uint64_t attempt, const boost::system::error_code& error);
  void on_attempt_deadline(std::uint64_t attempt, const boost::system::error_code& error);
  void do_write();
  void on_write(std::uint64_t attempt, const boost::system::error_code& error, std::size_t frame_bytes);
  void do_watch_for_close();
  void on_watch_for_close(std::uint64_t attempt, const boost::system::error_code& error, std::size_t bytes);
  void fail(const std::string& what);
  void close_stream();

  std::shared_ptr<LinkContext> shared_;
  NodeId peer_;
  Address address_;
  Strand strand_;
  boost::asio::ip::tcp::resolver resolver_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;
  boost::asio::steady_timer timer_;  // The attempt deadline while dialling, the backoff while waiting.
  State state_ = State::idle;
  std::uint64_t attempt_ = 0;  // Completions from an earlier attempt carry an older number and are ignored.
  std::int64_t backoff_ms_ = 0;
  std::deque<OutgoingFrame> queue_;
  std::size_t queued_bytes_ = 0;  // Queued frames plus the one in flight.
  bool writing_ = false;
  std::uint8_t unexpected_byte_ = 0;
};

class InboundLink : public std::enable_shared_from_this<InboundLink> {
 public:
  InboundLink(boost::asio::ip::tcp::socket socket, std::shared_ptr<LinkContext> shared, std::uint64_t serial);
  ~InboundLink();

  void start();
  void stop();
  NodeId peer() const { return peer_; }

 private:
  void do_read();
  void on_read(const boost::system::error_code& error, std::size_t bytes);
  // Handles every whole frame in the buffer; returns false if the connection was closed for garbage.
  bool consume_frames();
  void protocol_error(const std::string& reason);
  void close();

  std::shared_ptr<LinkContext> shared_;
  std::uint64_t serial_;
  boost::beast::tcp_stream stream_;
  std::string remote_;
  boost::beast::flat_buffer buffer_;
  NodeId peer_ = 0;  // Zero until the hello arrives.
  bool frame_started_ = false;
  bool closed_ = false;
};

}  // namespace edgecache::net
