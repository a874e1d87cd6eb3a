#include "net/peer_auth.h"

#include <sys/stat.h>

#include <cassert>
#include <cstdio>
#include <fstream>
#include <string_view>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace edgecache::net {

namespace {

// Labels keep each derived key and each proof apart: a value computed for one purpose is never valid for
// another. The version lets a later protocol change them all at once.
constexpr std::string_view proof_key_label = "edgecache peer proof key v1";
constexpr std::string_view frame_key_label = "edgecache peer frame key v1";
constexpr std::string_view acceptor_proof_label = "edgecache acceptor proof v1";
constexpr std::string_view dialer_proof_label = "edgecache dialer proof v1";

// OpenSSL reports failure of these calls only for allocation failure or a broken installation, neither of
// which a peer can cause, so they are programmer or environment errors and stop the process.
void require_openssl(int ok, const char* what) {
  if (ok != 1) {
    std::fprintf(stderr, "edgecache: OpenSSL %s failed\n", what);
    std::abort();
  }
}

void append_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

void append(std::vector<std::uint8_t>& out, std::string_view text) { out.insert(out.end(), text.begin(), text.end()); }

// HKDF-SHA256 of the cluster key into a 32-byte key, with `salt` and `info` as RFC 5869 uses them.
AuthMac derive_key(const ClusterKey& key, std::span<const std::uint8_t> salt, std::span<const std::uint8_t> info) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  require_openssl(kdf != nullptr ? 1 : 0, "HKDF fetch");
  EVP_KDF_CTX* context = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  require_openssl(context != nullptr ? 1 : 0, "HKDF context");
  char digest[] = "SHA256";
  // OpenSSL's parameter API takes non-const pointers but only reads through them.
  auto* key_bytes = const_cast<std::uint8_t*>(key.bytes().data());
  auto* salt_bytes = const_cast<std::uint8_t*>(salt.data());
  auto* info_bytes = const_cast<std::uint8_t*>(info.data());
  // An empty salt is left out: HKDF then uses a string of zeros, as RFC 5869 says, and OpenSSL refuses an
  // empty octet string.
  std::vector<OSSL_PARAM> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key_bytes, key.bytes().size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_bytes, info.size())};
  if (!salt.empty()) params.push_back(OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_bytes, salt.size()));
  params.push_back(OSSL_PARAM_construct_end());
  AuthMac derived{};
  require_openssl(EVP_KDF_derive(context, derived.data(), derived.size(), params.data()), "HKDF derive");
  EVP_KDF_CTX_free(context);
  return derived;
}

// An HMAC-SHA256 context keyed once and reused for every MAC under that key.
struct HmacContext {
  explicit HmacContext(std::span<const std::uint8_t> key) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    require_openssl(mac != nullptr ? 1 : 0, "HMAC fetch");
    context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    require_openssl(context != nullptr ? 1 : 0, "HMAC context");
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    require_openssl(EVP_MAC_init(context, key.data(), key.size(), params), "HMAC init");
    fresh = true;
  }
  ~HmacContext() { EVP_MAC_CTX_free(context); }
  HmacContext(const HmacContext&) = delete;
  HmacContext& operator=(const HmacContext&) = delete;

  // MACs the concatenation of `parts`.
  AuthMac mac(std::initializer_list<std::span<const std::uint8_t>> parts) {
    // A null key re-initialises the context with the key it already holds.
    if (!fresh) require_openssl(EVP_MAC_init(context, nullptr, 0, nullptr), "HMAC reinit");
    fresh = false;
    for (const auto& part : parts) require_openssl(EVP_MAC_update(context, part.data(), part.size()), "HMAC update");
    AuthMac out{};
    std::size_t length = 0;
    require_openssl(EVP_MAC_final(context, out.data(), &length, out.size()), "HMAC final");
    assert(length == out.size());
    return out;
  }

  EVP_MAC_CTX* context = nullptr;
  bool fresh = false;
};

std::vector<std::uint8_t> transcript_bytes(const HandshakeTranscript& transcript) {
  std::vector<std::uint8_t> bytes;
  append_u32(bytes, transcript.dialer);
  append_u32(bytes, transcript.acceptor);
  bytes.insert(bytes.end(), transcript.dialer_nonce.begin(), transcript.dialer_nonce.end());
  bytes.insert(bytes.end(), transcript.acceptor_nonce.begin(), transcript.acceptor_nonce.end());
  return bytes;
}

AuthMac proof(const ClusterKey& key, std::string_view label, const HandshakeTranscript& transcript) {
  std::vector<std::uint8_t> info;
  append(info, proof_key_label);
  const AuthMac proof_key = derive_key(key, {}, info);
  HmacContext hmac(proof_key);
  std::vector<std::uint8_t> labelled;
  append(labelled, label);
  return hmac.mac({labelled, transcript_bytes(transcript)});
}

}  // namespace

ClusterKey::ClusterKey(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {
  assert(bytes_.size() >= cluster_key_min_bytes && bytes_.size() <= cluster_key_max_bytes);
}

std::variant<ClusterKey, std::string> read_cluster_key_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return "cannot read the cluster key file '" + path + "'";
  std::vector<std::uint8_t> bytes;
  char c = 0;
  while (bytes.size() <= cluster_key_max_bytes + 1 && file.get(c)) bytes.push_back(static_cast<std::uint8_t>(c));
  if (file.bad()) return "cannot read the cluster key file '" + path + "'";
  while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r' || bytes.back() == ' ' || bytes.back() == '\t')) {
    bytes.pop_back();
  }
  if (bytes.size() < cluster_key_min_bytes) {
    return "the cluster key file '" + path + "' holds " + std::to_string(bytes.size()) + " bytes; a key needs at least " +
           std::to_string(cluster_key_min_bytes) + " (make one with: openssl rand -hex 32 > " + path + ")";
  }
  if (bytes.size() > cluster_key_max_bytes) {
    return "the cluster key file '" + path + "' is longer than " + std::to_string(cluster_key_max_bytes) + " bytes";
  }
  return ClusterKey(std::move(bytes));
}

std::optional<std::string> write_new_cluster_key_file(const std::string& path) {
  std::array<std::uint8_t, 32> random{};
  require_openssl(RAND_bytes(random.data(), static_cast<int>(random.size())), "RAND_bytes");
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::string text;
  for (std::uint8_t byte : random) {
    text += hex_digits[byte >> 4];
    text += hex_digits[byte & 0xF];
  }
  text += '\n';
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file || !file.write(text.data(), static_cast<std::streamsize>(text.size()))) {
      return "cannot write the cluster key file '" + path + "'";
    }
  }
  if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0) return "cannot restrict the cluster key file '" + path + "'";
  return std::nullopt;
}

AuthNonce random_nonce() {
  AuthNonce nonce{};
  require_openssl(RAND_bytes(nonce.data(), static_cast<int>(nonce.size())), "RAND_bytes");
  return nonce;
}

AuthMac acceptor_proof(const ClusterKey& key, const HandshakeTranscript& transcript) {
  return proof(key, acceptor_proof_label, transcript);
}

AuthMac dialer_proof(const ClusterKey& key, const HandshakeTranscript& transcript) {
  return proof(key, dialer_proof_label, transcript);
}

bool macs_equal(const AuthMac& a, const AuthMac& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

struct FrameMacs::State {
  explicit State(const AuthMac& key) : hmac(key) {}
  HmacContext hmac;
};

FrameMacs::FrameMacs(const ClusterKey& key, const HandshakeTranscript& transcript) {
  // The nonces salt the derivation, so every connection has a key of its own; the ids bind it to the pair.
  std::vector<std::uint8_t> salt(transcript.dialer_nonce.begin(), transcript.dialer_nonce.end());
  salt.insert(salt.end(), transcript.acceptor_nonce.begin(), transcript.acceptor_nonce.end());
  std::vector<std::uint8_t> info;
  append(info, frame_key_label);
  append_u32(info, transcript.dialer);
  append_u32(info, transcript.acceptor);
  state_ = std::make_unique<State>(derive_key(key, salt, info));
}

FrameMacs::~FrameMacs() = default;

AuthMac FrameMacs::compute(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload) {
  std::array<std::uint8_t, 8> sequence{};
  for (std::size_t index = 0; index < sequence.size(); ++index) {
    sequence[index] = static_cast<std::uint8_t>(next_sequence_ >> (8 * index));
  }
  return state_->hmac.mac({sequence, header, payload});
}

AuthMac FrameMacs::sign(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload) {
  const AuthMac mac = compute(header, payload);
  ++next_sequence_;
  return mac;
}

bool FrameMacs::verify(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload, const AuthMac& mac) {
  if (!macs_equal(compute(header, payload), mac)) return false;
  ++next_sequence_;
  return true;
}

}  // namespace edgecache::net
