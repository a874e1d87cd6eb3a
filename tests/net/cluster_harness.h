#pragma once
// Helpers for tests that run real edgecache-server processes on loopback: free ports, child processes that
// are always killed (RAII), a temporary images directory, and a tiny blocking HTTP client over POSIX
// sockets with a deadline on every call. Everything binds to 127.0.0.1 only, and every wait is bounded.

#include <sys/types.h>

#include <chrono>
#include <ctime>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace edgecache::net::testing {

// Returns `count` distinct TCP ports that were free on 127.0.0.1 a moment ago (bound to port 0 together,
// then released).
std::vector<std::uint16_t> free_ports(std::size_t count);

// A child process started with fork/exec, its stdout and stderr going to `log_path`. The destructor kills
// it with SIGKILL and reaps it, so a failing test never leaves daemons behind.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Sends `signal_number` (SIGKILL, SIGTERM) if the process still runs.
  void signal(int signal_number);
  // Waits up to `timeout` for the process to exit; returns its exit code (128 + signal if killed), or
  // nothing on timeout.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  bool running();
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string log_path_;
};

// A temporary directory removed (with its contents) by the destructor.
class TempDirectory {
 public:
  TempDirectory();
  ~TempDirectory();
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  const std::string& path() const { return path_; }
  // Writes `bytes` to `name` inside the directory.
  void write(const std::string& name, const std::vector<std::uint8_t>& bytes) const;

 private:
  std::string path_;
};

struct HttpResult {
  int status = 0;  // 0: no response (refused, timed out, reset).
  std::map<std::string, std::string> headers;  // Names in lower case.
  std::string body;

  // Returns header `lower_case_name`, or "" if absent.
  std::string header(const std::string& lower_case_name) const {
    auto found = headers.find(lower_case_name);
    return found == headers.end() ? std::string() : found->second;
  }
};

// Sends one request ("Connection: close") to 127.0.0.1:`port` and reads the response until the server
// closes, all within `timeout`. `extra_headers` are complete lines without CRLF.
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::vector<std::string>& extra_headers = {},
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// Sends raw bytes to 127.0.0.1:`port` and reads until the peer closes or `timeout` passes; returns
// whether the peer closed the connection within the timeout.
bool send_raw_and_wait_for_close(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout);

// Sends raw bytes to 127.0.0.1:`port` and returns everything the peer sent back before closing, or nothing
// if it could not connect or did not close within `timeout`.
std::optional<std::string> exchange_raw(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout);

// A client connection that stays open across requests, for tests of keep-alive, pipelining and the server's
// timeouts. Every call has a deadline; the destructor closes the connection.
class KeepAliveConnection {
 public:
  // Connects to 127.0.0.1:`port`; connected() says whether that worked. A `receive_buffer_bytes` above 0
  // shrinks the socket's receive buffer (SO_RCVBUF) to about that, to make a slow reader of the client.
  explicit KeepAliveConnection(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                               int receive_buffer_bytes = 0);
  ~KeepAliveConnection();
  KeepAliveConnection(const KeepAliveConnection&) = delete;
  KeepAliveConnection& operator=(const KeepAliveConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends `bytes` as they are; returns whether all went out within `timeout`.
  bool send(const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Reads the next response, framed by its Content-Length (0 if absent). Nothing if the server closed the
  // connection or `timeout` passed first.
  std::optional<HttpResult> read_response(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Waits for the server to close the connection, discarding anything it sends; returns whether it closed
  // within `timeout`.
  bool wait_for_close(std::chrono::milliseconds timeout);

 private:
  // Receives more bytes into received_; false if the connection ended or the deadline passed.
  bool receive_more(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string received_;  // Bytes received and not yet returned as a response.
};

// Reads a metric's value from Prometheus text, or nothing if absent.
std::optional<std::uint64_t> metric_value(const std::string& metrics, const std::string& name);

// Reads a whole file (the daemons' logs, for failure messages).
std::string read_file(const std::string& path);

// Test images: small files with the right magic bytes for each type.
std::vector<std::uint8_t> jpeg_bytes();
std::vector<std::uint8_t> png_bytes();
std::vector<std::uint8_t> gif_bytes();
std::vector<std::uint8_t> webp_bytes();

// One canonical (id 100) and edges 1, 2 and 3 with images 1 (jpeg), 2 (png), 3 (gif) and 4 (webp).
class Cluster {
 public:
  static constexpr std::uint32_t canonical_id = 100;
  static constexpr std::uint32_t edge_count = 3;

  Cluster();

  // Starts every process and waits (bounded) until each edge sees edge 3 as leader and every peer link is
  // up in both directions. Returns false (with the logs in `why`) if that does not happen in time.
  bool start(std::string& why);

  // Adds command-line arguments for `node`, used by start() and relaunch(). Call before start().
  void add_arguments(std::uint32_t node, const std::vector<std::string>& arguments);
  // Starts `node` again (after it was killed), with a fresh log file; does not wait for it to be ready.
  void relaunch(std::uint32_t node);
  // The cluster's temporary directory (images, logs, and anything a test puts there).
  const std::string& directory() const { return directory_.path(); }

  // The cluster key file every node is started with, unless its arguments include --insecure-peers.
  std::string key_path() const;

  std::uint16_t http_port(std::uint32_t node) const;   // node: canonical_id or an edge id.
  std::uint16_t peer_port(std::uint32_t node) const;
  ChildProcess& process(std::uint32_t node);
  const std::vector<std::uint8_t>& image(std::uint64_t id) const { return images_.at(id); }
  // The logs of every process, for a failure message.
  std::string logs() const;

  // Returns the leader edge `edge` reports in /status, or nothing if it reports none or does not answer.
  std::optional<std::uint32_t> leader_of(std::uint32_t edge);

 private:
  std::vector<std::string> command(std::uint32_t node) const;

  TempDirectory directory_;
  std::map<std::uint64_t, std::vector<std::uint8_t>> images_;
  std::map<std::uint32_t, std::uint16_t> http_ports_;
  std::map<std::uint32_t, std::uint16_t> peer_ports_;
  std::map<std::uint32_t, std::unique_ptr<ChildProcess>> processes_;
  std::map<std::uint32_t, std::vector<std::string>> extra_arguments_;
  std::map<std::uint32_t, std::size_t> launches_;
};

// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
template <typename Condition>
bool eventually(std::chrono::milliseconds timeout, Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    struct timespec pause{0, 50'000'000};
    nanosleep(&pause, nullptr);
  }
}

}  // namespace edgecache::net::testing

// Declares `cluster` and starts it, failing the test with the harness's reason if it cannot start.
#define START_CLUSTER(cluster)               \
  Cluster cluster;                           \
  {                                          \
    std::string why;                         \
    const bool started = cluster.start(why); \
    INFO(why);                               \
    REQUIRE(started);                        \
  }
