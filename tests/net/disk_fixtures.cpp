#include "tests/net/disk_fixtures.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "tests/net/cluster_harness.h"

namespace edgecache::net::testing {

namespace {

namespace fs = std::filesystem;

// Writes `text` to the control file `path` in one write, as cgroup files need; returns whether it took.
bool write_control(const std::string& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  file.flush();
  return static_cast<bool>(file);
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string shell_quoted(const std::string& text) { return "'" + text + "'"; }

// Unmounts `directory`; if something still holds it (a failed test's open descriptor), detaches it lazily
// instead, so no test leaves a mount behind.
void unmount(const std::string& directory) {
  if (run_command("umount " + shell_quoted(directory)).status != 0) run_command("umount -l " + shell_quoted(directory));
}

}  // namespace

bool run_until(boost::asio::io_context& context, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  // The writer thread posts completions from outside, so the context must not stop for want of work; and it
  // stopped for that reason when the guard of an earlier call went away.
  context.restart();
  auto work = boost::asio::make_work_guard(context);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    context.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

nlohmann::json edge_disk_status(std::uint16_t http_port) {
  const HttpResult status = http_request(http_port, "GET", "/status", {}, std::chrono::milliseconds(1000));
  if (status.status != 200) return nullptr;
  const nlohmann::json json = nlohmann::json::parse(status.body, nullptr, false);
  return json.is_object() && json.contains("disk") ? json["disk"] : nlohmann::json();
}

CommandOutput run_command(const std::string& command) {
  CommandOutput result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (const std::size_t got = std::fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, got);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::optional<std::string> root_missing() {
  if (::geteuid() != 0) return "not root (mounting and cgroups need root)";
  return std::nullopt;
}

TmpfsMount::TmpfsMount(std::string directory, std::uint64_t size_kib) : directory_(std::move(directory)) {
  const CommandOutput mount =
      run_command("mount -t tmpfs -o size=" + std::to_string(size_kib) + "k tmpfs " + shell_quoted(directory_));
  if (mount.status != 0) failure_ = "mount -t tmpfs failed: " + trimmed(mount.output);
}

TmpfsMount::~TmpfsMount() {
  if (!failure_) unmount(directory_);
}

LoopDisk::LoopDisk(std::string image, std::string directory, std::uint64_t size_mib)
    : image_(std::move(image)), directory_(std::move(directory)) {
  const CommandOutput truncate = run_command("truncate -s " + std::to_string(size_mib) + "M " + shell_quoted(image_));
  if (truncate.status != 0) {
    failure_ = "truncate failed: " + trimmed(truncate.output);
    return;
  }
  const CommandOutput attach = run_command("losetup -f --show " + shell_quoted(image_));
  if (attach.status != 0) {
    failure_ = "no loop device (losetup -f failed): " + trimmed(attach.output);
    return;
  }
  device_ = trimmed(attach.output);
  const CommandOutput format = run_command("mkfs.ext4 -q " + shell_quoted(device_));
  if (format.status != 0) {
    failure_ = "mkfs.ext4 failed: " + trimmed(format.output);
    return;
  }
  const CommandOutput mount = run_command("mount " + shell_quoted(device_) + " " + shell_quoted(directory_));
  if (mount.status != 0) {
    failure_ = "mounting the loop device failed: " + trimmed(mount.output);
    return;
  }
  mounted_ = true;
  struct stat status {};
  if (::stat(device_.c_str(), &status) != 0) {
    failure_ = "cannot stat " + device_;
    return;
  }
  device_numbers_ = std::to_string(major(status.st_rdev)) + ":" + std::to_string(minor(status.st_rdev));
}

LoopDisk::~LoopDisk() {
  if (mounted_) unmount(directory_);
  if (!device_.empty()) run_command("losetup -d " + shell_quoted(device_));
  std::error_code ignored;
  fs::remove(image_, ignored);
}

WriteThrottle::WriteThrottle(const std::string& device_numbers, std::uint64_t bytes_per_second) {
  const std::string name = "edgecache-test-" + std::to_string(::getpid());
  const std::string rate = std::to_string(bytes_per_second);
  std::error_code error;
  if (fs::exists("/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device")) {
    root_ = "/sys/fs/cgroup/blkio";
    controller_ = "cgroup v1 blkio.throttle.write_bps_device";
    if (!fs::create_directory(root_ + "/" + name, error)) {
      failure_ = "cannot create a blkio cgroup: " + error.message();
      return;
    }
    group_ = root_ + "/" + name;
    if (!write_control(group_ + "/blkio.throttle.write_bps_device", device_numbers + " " + rate)) {
      failure_ = "blkio refused a write limit on " + device_numbers;
    }
    return;
  }
  if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    root_ = "/sys/fs/cgroup";
    controller_ = "cgroup v2 io.max";
    write_control(root_ + "/cgroup.subtree_control", "+io");
    if (!fs::create_directory(root_ + "/" + name, error)) {
      failure_ = "cannot create a cgroup v2 group: " + error.message();
      return;
    }
    group_ = root_ + "/" + name;
    if (!write_control(group_ + "/io.max", device_numbers + " wbps=" + rate)) {
      failure_ = "the io controller refused a write limit on " + device_numbers;
    }
    return;
  }
  failure_ = "neither cgroup v1's blkio controller nor cgroup v2 is mounted under /sys/fs/cgroup";
}

WriteThrottle::~WriteThrottle() {
  if (group_.empty()) return;
  std::ifstream procs(group_ + "/cgroup.procs");
  std::vector<std::string> pids;
  for (std::string pid; std::getline(procs, pid);) pids.push_back(pid);
  for (const std::string& pid : pids) write_control(root_ + "/cgroup.procs", pid);
  std::error_code ignored;
  fs::remove(group_, ignored);  // rmdir: a cgroup's control files go with it.
}

std::optional<std::string> WriteThrottle::add(pid_t pid) {
  if (failure_) return failure_;
  if (!write_control(group_ + "/cgroup.procs", std::to_string(pid))) return "cannot move the process into the cgroup";
  return std::nullopt;
}

}  // namespace edgecache::net::testing
