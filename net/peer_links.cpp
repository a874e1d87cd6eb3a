#include "net/peer_links.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "net/acceptor.h"
#include "net/limits.h"
#include "net/peer_link_parts.h"

namespace edgecache::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string error_reason(const boost::system::error_code& error) { return error.message(); }

// Accepts inbound peer connections. At most max_inbound_peer_connections may be in their handshake at once;
// when all are taken, the oldest of them is closed for the new one, so connections that never finish their
// handshake cannot keep a real peer out for longer than it takes to finish its own.
class PeerLinks::Acceptor : public std::enable_shared_from_this<PeerLinks::Acceptor> {
 public:
  Acceptor(asio::io_context& context, std::shared_ptr<LinkContext> shared)
      : context_(context), shared_(std::move(shared)), acceptor_(asio::make_strand(context)) {}

  std::optional<std::string> open(const Address& address) { return open_acceptor(context_, acceptor_, address); }

  void start() { do_accept(); }

  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(context_),
                           [self = shared_from_this()](const boost::system::error_code& error, tcp::socket socket) {
                             self->on_accept(error, std::move(socket));
                           });
  }

  void on_accept(const boost::system::error_code& error, tcp::socket socket) {
    if (shared_->stopped || !acceptor_.is_open()) return;
    if (error) {
      shared_->logger.warn("peer_accept_failed", {{"reason", error_reason(error)}});
    } else if (pending_handshakes() >= max_inbound_peer_connections && !evict_oldest_handshake()) {
      ++shared_->counters.inbound_rejected;
      shared_->logger.warn("peer_inbound_rejected", {{"reason", "max_inbound_peer_connections reached"}});
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      const std::uint64_t serial = shared_->next_inbound_serial++;
      auto link = std::make_shared<InboundLink>(std::move(socket), shared_, serial);
      shared_->inbound[serial] = link;
      link->start();
    }
    do_accept();
  }

  std::size_t pending_handshakes() const {
    std::size_t count = 0;
    for (const auto& [serial, weak] : shared_->inbound) {
      if (auto link = weak.lock(); link && link->peer() == 0) ++count;
    }
    return count;
  }

  bool evict_oldest_handshake() {
    // Serials grow with each accept, so the map's first pending link is the oldest.
    for (auto it = shared_->inbound.begin(); it != shared_->inbound.end(); ++it) {
      auto link = it->second.lock();
      if (!link || link->peer() != 0) continue;
      ++shared_->counters.handshakes_evicted;
      shared_->logger.debug("peer_handshake_evicted", {{"remote", link->remote()}});
      shared_->inbound.erase(it);  // Now, so the next accept does not pick the same link again.
      link->stop();
      return true;
    }
    return false;
  }

  asio::io_context& context_;
  std::shared_ptr<LinkContext> shared_;
  tcp::acceptor acceptor_;
};

namespace {

std::set<NodeId> ids_of(const std::map<NodeId, Address>& peers) {
  std::set<NodeId> ids;
  for (const auto& [id, address] : peers) ids.insert(id);
  return ids;
}

}  // namespace

PeerLinks::PeerLinks(asio::io_context& context, NodeId self, std::map<NodeId, Address> peers,
                     std::optional<ClusterKey> key, Logger& logger, DeliverFunction deliver)
    : context_(context),
      shared_(std::make_shared<LinkContext>(self, ids_of(peers), std::move(key), logger, std::move(deliver))) {
  peers.erase(self);
  shared_->known_peers.erase(self);
  for (auto& [id, address] : peers) outbound_[id] = std::make_shared<OutboundLink>(context_, shared_, id, address);
}

PeerLinks::~PeerLinks() { stop(); }

std::optional<std::string> PeerLinks::listen(const Address& address) {
  acceptor_ = std::make_shared<Acceptor>(context_, shared_);
  if (auto error = acceptor_->open(address)) {
    acceptor_.reset();
    return error;
  }
  acceptor_->start();
  return std::nullopt;
}

void PeerLinks::start() {
  for (auto& [id, link] : outbound_) link->start();
}

void PeerLinks::stop() {
  if (shared_->stopped) return;
  shared_->stopped = true;
  if (acceptor_) acceptor_->stop();
  for (auto& [id, link] : outbound_) link->stop();
  for (auto& [serial, weak] : shared_->inbound) {
    if (auto link = weak.lock()) link->stop();
  }
}

void PeerLinks::send(NodeId to, const Message& message, std::uint64_t lamport) {
  auto found = outbound_.find(to);
  if (found == outbound_.end()) {
    ++shared_->counters.dropped_unknown_peer;
    return;
  }
  // Encoding copies the body, so a message for a peer that is down is dropped before paying for that.
  if (!found->second->connected()) {
    ++shared_->counters.dropped_peer_down;
    return;
  }
  found->second->send(make_message_frame(message, lamport));
}

std::vector<NodeId> PeerLinks::connected_outbound() const {
  std::vector<NodeId> ids;
  for (const auto& [id, link] : outbound_) {
    if (link->connected()) ids.push_back(id);
  }
  return ids;
}

std::vector<NodeId> PeerLinks::connected_inbound() const {
  std::set<NodeId> ids;
  for (const auto& [serial, weak] : shared_->inbound) {
    if (auto link = weak.lock(); link && link->peer() != 0) ids.insert(link->peer());
  }
  return {ids.begin(), ids.end()};
}

const PeerLinkCounters& PeerLinks::counters() const { return shared_->counters; }

bool PeerLinks::authenticated() const { return shared_->key.has_value(); }

}  // namespace edgecache::net
