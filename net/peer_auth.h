#pragma once
// Peer authentication: the cluster key, the handshake proofs and the per-frame MACs. Pure functions over
// bytes on top of OpenSSL's HMAC-SHA256 and HKDF, no sockets, so the link classes only move bytes and the
// handshake can be tested and fuzzed directly. docs/protocol.md describes the exchange and why it is built
// this way.
//
// The handshake, on every peer connection, before any message is accepted:
//   dialer   -> acceptor  auth_hello     dialer id, the acceptor id it meant to reach, dialer nonce
//   acceptor -> dialer    auth_challenge acceptor id, acceptor nonce, acceptor proof
//   dialer   -> acceptor  auth_proof     dialer proof
// Each proof is an HMAC of the whole transcript under a key derived from the cluster key, with a different
// label per side, so neither side's proof can be reflected back as the other's. Every frame after that
// carries a MAC under a key derived from the cluster key and both nonces, over a sequence number and the
// frame, so a recorded frame is refused on any other connection and out of order on its own.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/types.h"

namespace edgecache::net {

constexpr std::size_t cluster_key_min_bytes = 32;
constexpr std::size_t cluster_key_max_bytes = 4096;
constexpr std::size_t auth_nonce_bytes = 32;
constexpr std::size_t auth_mac_bytes = 32;

using AuthNonce = std::array<std::uint8_t, auth_nonce_bytes>;
using AuthMac = std::array<std::uint8_t, auth_mac_bytes>;

// The secret every node of one cluster shares. Its bytes are never logged.
class ClusterKey {
 public:
  // REQUIRES: cluster_key_min_bytes <= bytes.size() <= cluster_key_max_bytes.
  explicit ClusterKey(std::vector<std::uint8_t> bytes);

  std::span<const std::uint8_t> bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

// Reads a key file: its content with trailing white space removed (so `openssl rand -hex 32 > key` works),
// at least cluster_key_min_bytes and at most cluster_key_max_bytes. On failure returns a sentence naming the
// file and what is wrong with it.
std::variant<ClusterKey, std::string> read_cluster_key_file(const std::string& path);

// Writes a fresh random key (64 hex digits) to `path`, readable by its owner only. Returns a sentence saying
// why it failed, or nothing on success. Used by tests and `sim real`, which start clusters of their own.
std::optional<std::string> write_new_cluster_key_file(const std::string& path);

// A nonce from OpenSSL's random generator.
AuthNonce random_nonce();

// Who took part in one handshake, and with which nonces. Both sides build the same value.
struct HandshakeTranscript {
  NodeId dialer = 0;
  NodeId acceptor = 0;
  AuthNonce dialer_nonce{};
  AuthNonce acceptor_nonce{};
};

// The proof each side sends: only a holder of `key` can compute it for this transcript.
AuthMac acceptor_proof(const ClusterKey& key, const HandshakeTranscript& transcript);
AuthMac dialer_proof(const ClusterKey& key, const HandshakeTranscript& transcript);

// Compares two MACs in constant time.
bool macs_equal(const AuthMac& a, const AuthMac& b);

// The MACs of one connection's frames, in order. The dialer signs and the acceptor verifies; both build it
// from the same key and transcript, so both derive the same connection key and count the same sequence.
class FrameMacs {
 public:
  FrameMacs(const ClusterKey& key, const HandshakeTranscript& transcript);
  ~FrameMacs();
  FrameMacs(const FrameMacs&) = delete;
  FrameMacs& operator=(const FrameMacs&) = delete;

  // Returns the MAC of the next frame, `header` then `payload`, and advances the sequence.
  AuthMac sign(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload);

  // True if `mac` is the next frame's MAC; advances the sequence only then.
  bool verify(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload, const AuthMac& mac);

 private:
  AuthMac compute(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload);

  struct State;
  std::unique_ptr<State> state_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace edgecache::net
