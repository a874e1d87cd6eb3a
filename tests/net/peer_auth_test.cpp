// Tests of peer authentication (net/peer_auth.cpp). Method: run both sides of the handshake and of a link's
// frame MACs in one process, then change one thing at a time (the key, a nonce, an id, a byte, the order,
// the connection) and check that the proof or MAC no longer verifies.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "net/peer_auth.h"

namespace edgecache::net {
namespace {

ClusterKey key_of(char fill) { return ClusterKey(std::vector<std::uint8_t>(32, static_cast<std::uint8_t>(fill))); }

HandshakeTranscript transcript() {
  HandshakeTranscript result{1, 100, {}, {}};
  result.dialer_nonce.fill(0x01);
  result.acceptor_nonce.fill(0x02);
  return result;
}

const std::vector<std::uint8_t> header(24, 0x07);
const std::vector<std::uint8_t> payload = {1, 2, 3, 4, 5};

}  // namespace

TEST_CASE("each side's proof verifies only for the same key and the same transcript", "[net][auth]") {
  const ClusterKey key = key_of('k');
  const HandshakeTranscript base = transcript();
  CHECK(macs_equal(dialer_proof(key, base), dialer_proof(key, base)));
  // The two sides' proofs differ, so neither can be reflected back as the other's.
  CHECK_FALSE(macs_equal(dialer_proof(key, base), acceptor_proof(key, base)));
  CHECK_FALSE(macs_equal(dialer_proof(key, base), dialer_proof(key_of('x'), base)));
  for (int change = 0; change < 4; ++change) {
    HandshakeTranscript other = base;
    if (change == 0) other.dialer = 2;
    if (change == 1) other.acceptor = 101;
    if (change == 2) other.dialer_nonce[31] ^= 1;
    if (change == 3) other.acceptor_nonce[0] ^= 1;
    CHECK_FALSE(macs_equal(dialer_proof(key, base), dialer_proof(key, other)));
    CHECK_FALSE(macs_equal(acceptor_proof(key, base), acceptor_proof(key, other)));
  }
}

TEST_CASE("frame MACs verify in order on their own connection only", "[net][auth]") {
  const ClusterKey key = key_of('k');
  FrameMacs dialer(key, transcript());
  FrameMacs acceptor(key, transcript());
  const AuthMac first = dialer.sign(header, payload);
  const AuthMac second = dialer.sign(header, payload);
  // The same frame signed twice has two MACs: the sequence number is part of what is signed.
  CHECK_FALSE(macs_equal(first, second));

  SECTION("in order, both verify") {
    CHECK(acceptor.verify(header, payload, first));
    CHECK(acceptor.verify(header, payload, second));
  }
  SECTION("a replayed frame is refused") {
    CHECK(acceptor.verify(header, payload, first));
    CHECK_FALSE(acceptor.verify(header, payload, first));
    CHECK(acceptor.verify(header, payload, second));
  }
  SECTION("frames out of order are refused") { CHECK_FALSE(acceptor.verify(header, payload, second)); }
  SECTION("a changed payload or header is refused") {
    std::vector<std::uint8_t> changed = payload;
    changed[2] ^= 0x40;
    CHECK_FALSE(acceptor.verify(header, changed, first));
    std::vector<std::uint8_t> changed_header = header;
    changed_header[16] ^= 1;
    CHECK_FALSE(acceptor.verify(changed_header, payload, first));
    CHECK(acceptor.verify(header, payload, first));
  }
  SECTION("a frame recorded on another connection is refused") {
    HandshakeTranscript other = transcript();
    other.acceptor_nonce[5] ^= 1;
    FrameMacs elsewhere(key, other);
    CHECK_FALSE(elsewhere.verify(header, payload, first));
  }
}

TEST_CASE("every frame's MAC depends on the key, not only the first", "[net][auth]") {
  // The HMAC context is re-initialised for each frame after the first; a re-initialisation that lost the
  // key would make later MACs equal under every key.
  FrameMacs one(key_of('a'), transcript());
  FrameMacs two(key_of('b'), transcript());
  for (int frame = 0; frame < 3; ++frame) CHECK_FALSE(macs_equal(one.sign(header, payload), two.sign(header, payload)));
}

TEST_CASE("key files: made fresh, read back, and refused when short or missing", "[net][auth]") {
  const std::filesystem::path directory = std::filesystem::temp_directory_path() / ("edgecache-key-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const std::string path = (directory / "cluster.key").string();

  REQUIRE_FALSE(write_new_cluster_key_file(path));
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  auto key = read_cluster_key_file(path);
  REQUIRE(std::holds_alternative<ClusterKey>(key));
  CHECK(std::get<ClusterKey>(key).bytes().size() == 64);  // 32 random bytes as hex; the newline is trimmed.

  std::ofstream(path, std::ios::trunc) << "too short\n";
  auto short_key = read_cluster_key_file(path);
  REQUIRE(std::holds_alternative<std::string>(short_key));
  CHECK_THAT(std::get<std::string>(short_key), Catch::Contains(path) && Catch::Contains("at least 32"));

  std::ofstream(path, std::ios::trunc) << std::string(cluster_key_max_bytes + 1, 'x');
  CHECK(std::holds_alternative<std::string>(read_cluster_key_file(path)));

  auto missing = read_cluster_key_file((directory / "absent.key").string());
  REQUIRE(std::holds_alternative<std::string>(missing));
  CHECK_THAT(std::get<std::string>(missing), Catch::Contains("absent.key"));
  std::filesystem::remove_all(directory);
}

}  // namespace edgecache::net
