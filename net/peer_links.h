#pragma once
// Persistent TCP links between nodes, carrying core messages in frames (net/frame.h).
//
// Each node dials every other node it may need to send to, and uses that outbound connection only to send:
// first the handshake (net/peer_auth.h), which proves both ends hold the cluster key, then message frames,
// each with a MAC. Messages from a peer arrive on the connection the peer dialled (inbound here), tagged with
// the id its handshake proved. Two one-way connections per pair need no tie-breaking about who dials whom.
// Without a key (--insecure-peers) the handshake is a bare hello and nothing is proved.
//
// Delivery is best effort, as core's Env promises: a message to a peer that is down, or whose send queue is
// full, is dropped and counted. A peer that sends garbage (a bad header, a bad checksum, an undecodable
// payload, a frame started and never finished) is disconnected and logged; everything else keeps running.
// Outbound links reconnect with exponential backoff and jitter, resolving the host name on every attempt.
//
// Everything runs on the daemon's single io_context thread; each connection also has its own strand, so the
// classes stay correct if the context ever runs on more threads. No Asio type or error code leaves net/.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/messages.h"
#include "net/config.h"
#include "net/log.h"
#include "net/peer_auth.h"
#include "net/peer_link_counters.h"

namespace edgecache::net {

struct LinkContext;
class OutboundLink;

class PeerLinks {
 public:
  // Receives every message that arrives from a peer, on the io_context thread, with the Lamport stamp its
  // frame carried.
  using DeliverFunction = std::function<void(NodeId from, Message message, std::uint64_t lamport)>;

  // `peers` maps every node this one may send to (itself excluded) to its address; inbound connections are
  // accepted only from those ids. With a `key`, every link is authenticated; without one, none is.
  // `context` and `logger` must outlive this object.
  PeerLinks(boost::asio::io_context& context, NodeId self, std::map<NodeId, Address> peers,
            std::optional<ClusterKey> key, Logger& logger, DeliverFunction deliver);
  ~PeerLinks();
  PeerLinks(const PeerLinks&) = delete;
  PeerLinks& operator=(const PeerLinks&) = delete;

  // Binds and listens for inbound links. Returns a sentence saying why it failed, or nothing on success.
  std::optional<std::string> listen(const Address& address);

  // Starts dialling every peer.
  void start();

  // Closes every connection and stops reconnecting.
  void stop();

  // Queues `message` for `to`, stamped with the Lamport clock `lamport`; drops and counts it if `to` is
  // unknown or down, or its queue is full.
  void send(NodeId to, const Message& message, std::uint64_t lamport);

  // Peers this node can currently send to, and peers currently connected to it, in ascending order.
  std::vector<NodeId> connected_outbound() const;
  std::vector<NodeId> connected_inbound() const;

  const PeerLinkCounters& counters() const;

  // True if links are authenticated with a cluster key.
  bool authenticated() const;

 private:
  class Acceptor;

  boost::asio::io_context& context_;
  std::shared_ptr<LinkContext> shared_;
  std::map<NodeId, std::shared_ptr<OutboundLink>> outbound_;
  std::shared_ptr<Acceptor> acceptor_;
};

}  // namespace edgecache::net
