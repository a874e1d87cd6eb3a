#pragma once
// The connection classes behind PeerLinks (net/peer_links.h), one per direction, and the state they share.
// Internal to net/: only peer_links.cpp and the two link files include this.

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/frame.h"
#include "net/peer_auth.h"
#include "net/peer_links.h"

namespace edgecache::net {

class InboundLink;

// What every link of one PeerLinks shares. Links hold it by shared_ptr, so it outlives any handler that is
// still queued when PeerLinks goes away.
struct LinkContext {
  LinkContext(NodeId self_id, std::set<NodeId> known, std::optional<ClusterKey> cluster_key, Logger& log,
              PeerLinks::DeliverFunction deliver_function)
      : self(self_id), known_peers(std::move(known)), key(std::move(cluster_key)), logger(log),
        deliver(std::move(deliver_function)), random(std::random_device{}()) {}

  // Counts a refused peer under `counter` and logs it: a warning the first time for `address`, at debug
  // level after that, so an attacker or a misconfigured peer cannot flood the log.
  void refuse(std::uint64_t& counter, const std::string& event, const std::string& address, nlohmann::ordered_json fields);

  NodeId self;
  std::set<NodeId> known_peers;
  std::optional<ClusterKey> key;  // None: --insecure-peers, plain hellos and no MACs.
  Logger& logger;
  PeerLinks::DeliverFunction deliver;
  PeerLinkCounters counters;
  std::mt19937_64 random;  // Reconnect jitter only.
  bool stopped = false;
  std::uint64_t next_inbound_serial = 1;
  std::map<std::uint64_t, std::weak_ptr<InboundLink>> inbound;  // By serial, so iteration order is stable.
  std::set<std::string> refused_addresses;  // At most max_remembered_refused_addresses.
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
  enum class State : std::uint8_t { idle, resolving, connecting, authenticating, connected, backing_off, stopped };
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  void do_resolve();
  void on_resolve(std::uint64_t attempt, const boost::system::error_code& error,
                  const boost::asio::ip::tcp::resolver::results_type& results);
  void on_connect(std::uint64_t attempt, const boost::system::error_code& error);
  void do_read_challenge();
  void on_read_challenge(std::uint64_t attempt, const boost::system::error_code& error);
  void on_authenticated();
  void do_keepalive();
  void on_keepalive(std::uint64_t attempt, const boost::system::error_code& error);
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
  bool wrote_since_keepalive_ = false;
  bool proven_ = false;  // The link has stayed up for a keepalive interval.
  std::uint8_t unexpected_byte_ = 0;
  AuthNonce nonce_{};
  std::array<std::uint8_t, frame_header_bytes + auth_challenge_payload_bytes> challenge_bytes_{};
  std::unique_ptr<FrameMacs> macs_;  // Signs this connection's frames once the handshake is done.
};

class InboundLink : public std::enable_shared_from_this<InboundLink> {
 public:
  InboundLink(boost::asio::ip::tcp::socket socket, std::shared_ptr<LinkContext> shared, std::uint64_t serial);
  ~InboundLink();

  void start();
  void stop();
  // The peer's id once it has completed the handshake; zero before.
  NodeId peer() const { return established_ ? peer_ : 0; }
  const std::string& remote() const { return remote_; }

 private:
  void do_read();
  void on_read(const boost::system::error_code& error, std::size_t bytes);
  // Handles every whole frame in the buffer; returns false if the connection was closed.
  bool consume_frames();
  // The handshake steps; each returns false if it closed the connection.
  // Takes the id a hello claims, refusing a second hello, the other kind of link than this node runs (with or
  // without the cluster key), this node's own id and an id not configured. False if the link was closed.
  bool claim(NodeId claimed, bool with_key);
  bool on_hello(const Hello& hello);
  bool on_auth_hello(const AuthHello& hello);
  bool on_auth_proof(const AuthProof& proof);
  void establish();
  void on_challenge_written(const boost::system::error_code& error);
  void arm_read_deadline(bool frame_completed);
  void protocol_error(const std::string& reason);
  void refuse(std::uint64_t& counter, const std::string& reason);
  void close();

  std::shared_ptr<LinkContext> shared_;
  std::uint64_t serial_;
  boost::beast::tcp_stream stream_;
  std::string remote_;
  boost::beast::flat_buffer buffer_;
  NodeId peer_ = 0;  // The id the hello claimed; proved only once established_.
  bool established_ = false;
  HandshakeTranscript transcript_;            // Authenticated links: filled in by the auth_hello.
  std::shared_ptr<OutgoingFrame> challenge_;  // The challenge being written.
  std::unique_ptr<FrameMacs> macs_;           // Verifies the frames after the handshake.
  bool frame_started_ = false;
  bool closed_ = false;
};

}  // namespace edgecache::net
