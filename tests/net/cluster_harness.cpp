#include "tests/net/cluster_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "net/peer_auth.h"

namespace edgecache::net::testing {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Milliseconds left before `deadline`, at least zero, for poll().
int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(0, left));
}

// Connects to 127.0.0.1:port before `deadline`; returns the socket or -1.
// `receive_buffer_bytes` (0: the system's default) is set before connecting, so that the window the
// connection advertises from its first segment on is that small.
int connect_loopback(std::uint16_t port, Clock::time_point deadline, int receive_buffer_bytes = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (receive_buffer_bytes > 0 &&
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes) != 0) {
    ::close(fd);
    return -1;
  }
  sockaddr_in address = loopback(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd waiting{fd, POLLOUT, 0};
  if (::poll(&waiting, 1, remaining_ms(deadline)) != 1) {
    ::close(fd);
    return -1;
  }
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes, Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    pollfd waiting{fd, POLLOUT, 0};
    if (::poll(&waiting, 1, remaining_ms(deadline)) != 1) return false;
    const ssize_t count = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (count <= 0) return false;
    sent += static_cast<std::size_t>(count);
  }
  return true;
}

// Reads until the peer closes (returns true) or the deadline passes or the connection breaks (false).
bool read_to_close(int fd, std::string& out, Clock::time_point deadline) {
  char chunk[65536];
  while (true) {
    pollfd waiting{fd, POLLIN, 0};
    if (::poll(&waiting, 1, remaining_ms(deadline)) != 1) return false;
    const ssize_t count = ::recv(fd, chunk, sizeof chunk, 0);
    if (count == 0) return true;
    if (count < 0) return errno == ECONNRESET;  // A reset is the peer closing too.
    out.append(chunk, static_cast<std::size_t>(count));
  }
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Parses a response's status line and headers (the text before the blank line) into `result`; returns false
// if the status line does not start with `status_prefix`.
bool parse_head(const std::string& head_text, const char* status_prefix, HttpResult& result) {
  std::istringstream head(head_text);
  std::string line;
  std::getline(head, line);
  if (line.rfind(status_prefix, 0) != 0) return false;
  result.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    result.headers[lower(line.substr(0, colon))] = value;
  }
  return true;
}

}  // namespace

std::vector<std::uint16_t> free_ports(std::size_t count) {
  std::vector<int> sockets;
  std::vector<std::uint16_t> ports;
  for (std::size_t index = 0; index < count; ++index) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot bind a loopback port");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    sockets.push_back(fd);
    ports.push_back(ntohs(address.sin_port));
  }
  for (int fd : sockets) ::close(fd);
  return ports;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path) : log_path_(log_path) {
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("cannot open " + log_path);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
#ifdef __linux__
    // If the test runner itself dies, its daemons die with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(arguments[0], arguments.data());
    ::_exit(127);
  }
  ::close(log);
}

ChildProcess::~ChildProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(std::chrono::milliseconds(5000));
  }
}

void ChildProcess::signal(int signal_number) {
  if (running()) ::kill(pid_, signal_number);
}

bool ChildProcess::running() {
  if (exit_code_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  eventually(timeout, [&] { return !running(); });
  return exit_code_;
}

TempDirectory::TempDirectory() {
  // The pid in the name tells concurrent test runs' directories apart at a glance.
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("edgecache-net-test-" + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDirectory::~TempDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void TempDirectory::write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
  std::ofstream file(std::filesystem::path(path_) / name, std::ios::binary);
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::vector<std::string>& extra_headers, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  HttpResult result;
  const int fd = connect_loopback(port, deadline);
  if (fd < 0) return result;
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const std::string& header : extra_headers) request += header + "\r\n";
  request += "\r\n";
  std::string response;
  const bool complete = send_all(fd, request, deadline) && read_to_close(fd, response, deadline);
  ::close(fd);
  const auto header_end = response.find("\r\n\r\n");
  if (!complete || header_end == std::string::npos) return result;
  if (!parse_head(response.substr(0, header_end), "HTTP/1.1 ", result)) return result;
  result.body = response.substr(header_end + 4);
  return result;
}

bool send_raw_and_wait_for_close(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const int fd = connect_loopback(port, deadline);
  if (fd < 0) return false;
  std::string ignored;
  const bool closed = send_all(fd, bytes, deadline) && read_to_close(fd, ignored, deadline);
  ::close(fd);
  return closed;
}

std::optional<std::string> exchange_raw(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const int fd = connect_loopback(port, deadline);
  if (fd < 0) return std::nullopt;
  std::string received;
  const bool closed = send_all(fd, bytes, deadline) && read_to_close(fd, received, deadline);
  ::close(fd);
  if (!closed) return std::nullopt;
  return received;
}

KeepAliveConnection::KeepAliveConnection(std::uint16_t port, std::chrono::milliseconds timeout, int receive_buffer_bytes)
    : fd_(connect_loopback(port, Clock::now() + timeout, receive_buffer_bytes)) {}

KeepAliveConnection::~KeepAliveConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool KeepAliveConnection::send(const std::string& bytes, std::chrono::milliseconds timeout) {
  return fd_ >= 0 && send_all(fd_, bytes, Clock::now() + timeout);
}

bool KeepAliveConnection::receive_more(Clock::time_point deadline) {
  pollfd waiting{fd_, POLLIN, 0};
  if (::poll(&waiting, 1, remaining_ms(deadline)) != 1) return false;
  char chunk[65536];
  const ssize_t count = ::recv(fd_, chunk, sizeof chunk, 0);
  if (count <= 0) return false;
  received_.append(chunk, static_cast<std::size_t>(count));
  return true;
}

std::optional<HttpResult> KeepAliveConnection::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  if (fd_ < 0) return std::nullopt;
  std::size_t header_end = std::string::npos;
  while ((header_end = received_.find("\r\n\r\n")) == std::string::npos) {
    if (!receive_more(deadline)) return std::nullopt;
  }
  HttpResult result;
  if (!parse_head(received_.substr(0, header_end), "HTTP/1.", result)) return std::nullopt;
  const std::string length = result.header("content-length");
  const std::size_t body_bytes = length.empty() ? 0 : std::stoul(length);
  while (received_.size() < header_end + 4 + body_bytes) {
    if (!receive_more(deadline)) return std::nullopt;
  }
  result.body = received_.substr(header_end + 4, body_bytes);
  received_.erase(0, header_end + 4 + body_bytes);
  return result;
}

bool KeepAliveConnection::wait_for_close(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return false;
  std::string ignored;
  return read_to_close(fd_, ignored, Clock::now() + timeout);
}

std::optional<std::uint64_t> metric_value(const std::string& metrics, const std::string& name) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stoull(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::uint8_t> jpeg_bytes() { return {0xFF, 0xD8, 0xFF, 0xE0, 'j', 'p', 'e', 'g', 0x00, 0xFF, 0xD9}; }
std::vector<std::uint8_t> png_bytes() { return {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0, 'I', 'E', 'N', 'D'}; }
std::vector<std::uint8_t> gif_bytes() { return {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, ';'}; }
std::vector<std::uint8_t> webp_bytes() {
  return {'R', 'I', 'F', 'F', 12, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ', 0, 0, 0, 0};
}

Cluster::Cluster() {
  images_[1] = jpeg_bytes();
  images_[2] = png_bytes();
  images_[3] = gif_bytes();
  images_[4] = webp_bytes();
  // A larger image too, so bodies span several reads on both links.
  std::vector<std::uint8_t> large = jpeg_bytes();
  for (std::size_t index = 0; large.size() < 300'000; ++index) large.push_back(static_cast<std::uint8_t>(index * 31));
  images_[5] = large;
  directory_.write("image1.jpg", images_[1]);
  directory_.write("image2.png", images_[2]);
  directory_.write("image3.gif", images_[3]);
  directory_.write("image4.webp", images_[4]);
  directory_.write("image5.jpg", images_[5]);
  directory_.write("notes.txt", {'i', 'g', 'n', 'o', 'r', 'e', 'd'});
  // Every node of the cluster gets the same fresh key, as a deployment's secret would give them.
  const std::optional<std::string> key_error = write_new_cluster_key_file(key_path());
  if (key_error) throw std::runtime_error(*key_error);

  const std::vector<std::uint16_t> ports = free_ports(2 * (edge_count + 1));
  std::size_t next = 0;
  for (std::uint32_t node : {canonical_id, 1u, 2u, 3u}) {
    peer_ports_[node] = ports[next++];
    http_ports_[node] = ports[next++];
  }
}

std::vector<std::string> Cluster::command(std::uint32_t node) const {
  std::string peers;
  for (std::uint32_t edge = 1; edge <= edge_count; ++edge) {
    if (!peers.empty()) peers += ",";
    peers += std::to_string(edge) + "=127.0.0.1:" + std::to_string(peer_ports_.at(edge));
  }
  std::vector<std::string> argv = {EDGECACHE_SERVER_BINARY,
                                   "--id=" + std::to_string(node),
                                   "--listen=127.0.0.1:" + std::to_string(peer_ports_.at(node)),
                                   "--http-listen=127.0.0.1:" + std::to_string(http_ports_.at(node)),
                                   "--peers=" + peers,
                                   "--log-level=debug"};
  if (node == canonical_id) {
    argv.push_back("--role=canonical");
    argv.push_back("--images-dir=" + directory_.path());
  } else {
    argv.push_back("--role=edge");
    argv.push_back("--canonical=" + std::to_string(canonical_id) + "=127.0.0.1:" + std::to_string(peer_ports_.at(canonical_id)));
  }
  auto extra = extra_arguments_.find(node);
  const bool insecure = extra != extra_arguments_.end() &&
                        std::find(extra->second.begin(), extra->second.end(), "--insecure-peers") != extra->second.end();
  if (!insecure) argv.push_back("--cluster-key-file=" + key_path());
  if (extra != extra_arguments_.end()) argv.insert(argv.end(), extra->second.begin(), extra->second.end());
  return argv;
}

std::string Cluster::key_path() const { return directory_.path() + "/cluster.key"; }

void Cluster::add_arguments(std::uint32_t node, const std::vector<std::string>& arguments) {
  auto& list = extra_arguments_[node];
  list.insert(list.end(), arguments.begin(), arguments.end());
}

void Cluster::relaunch(std::uint32_t node) {
  // Each life gets its own log file, so the logs of the earlier life stay readable for a failure message.
  const std::size_t launch = ++launches_[node];
  std::string log = directory_.path() + "/node" + std::to_string(node) + ".log";
  if (launch > 1) log += "." + std::to_string(launch);
  processes_[node] = std::make_unique<ChildProcess>(command(node), log);
}

bool Cluster::start(std::string& why) {
  for (std::uint32_t node : {canonical_id, 1u, 2u, 3u}) relaunch(node);
  // Ready means: every edge follows edge 3, and every node has all its links up both ways.
  auto links_complete = [&](std::uint32_t node) {
    const HttpResult status = http_request(http_port(node), "GET", "/status", {}, std::chrono::milliseconds(1000));
    if (status.status != 200) return false;
    const auto json = nlohmann::json::parse(status.body, nullptr, false);
    if (json.is_discarded()) return false;
    // The canonical links to the three edges; an edge to the two other edges and the canonical: three either way.
    const std::size_t expected = edge_count;
    if (json["links"]["outbound"].size() != expected || json["links"]["inbound"].size() != expected) return false;
    return node == canonical_id || (json["leader"].is_number() && json["leader"].get<std::uint32_t>() == 3);
  };
  const bool ready = eventually(std::chrono::milliseconds(15000), [&] {
    for (std::uint32_t node : {canonical_id, 1u, 2u, 3u}) {
      if (!links_complete(node)) return false;
    }
    return true;
  });
  if (!ready) why = "cluster not ready within 15 s\n" + logs();
  return ready;
}

std::uint16_t Cluster::http_port(std::uint32_t node) const { return http_ports_.at(node); }
std::uint16_t Cluster::peer_port(std::uint32_t node) const { return peer_ports_.at(node); }
ChildProcess& Cluster::process(std::uint32_t node) { return *processes_.at(node); }

std::string Cluster::logs() const {
  std::string text;
  for (const auto& [node, process] : processes_) text += "--- node " + std::to_string(node) + " ---\n" + read_file(process->log_path());
  return text;
}

std::optional<std::uint32_t> Cluster::leader_of(std::uint32_t edge) {
  const HttpResult status = http_request(http_port(edge), "GET", "/status", {}, std::chrono::milliseconds(1000));
  if (status.status != 200) return std::nullopt;
  const auto json = nlohmann::json::parse(status.body, nullptr, false);
  if (json.is_discarded() || !json["leader"].is_number()) return std::nullopt;
  return json["leader"].get<std::uint32_t>();
}

}  // namespace edgecache::net::testing
