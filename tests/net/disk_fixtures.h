#pragma once
// Fixtures for the disk tests (disk_cache_test.cpp, file_storage_test.cpp, disk_cache_real_disk_test.cpp):
// running an io_context until the background writer's completions have run, and, for root only, real disks
// that misbehave: a tiny tmpfs that fills up, and an ext4 file system on a loop device whose writes a blkio
// cgroup throttles. Each fixture undoes itself in its destructor, whatever the test did in between, and says
// why when it cannot be set up, so the test can skip with that reason.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

namespace edgecache::net::testing {

// Runs `context` (handlers only; nothing else drives it) until `done()` holds or `timeout` passes; returns
// whether it held. The timeout only keeps a broken test from hanging: a passing test never reaches it.
bool run_until(boost::asio::io_context& context, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// The "disk" object of the /status of the edge whose HTTP port is `http_port`, or null if it did not answer.
nlohmann::json edge_disk_status(std::uint16_t http_port);

// Runs `command` through the shell; returns its exit status and its standard output.
struct CommandOutput {
  int status = -1;
  std::string output;
};
CommandOutput run_command(const std::string& command);

// Why tests that need root cannot run here, or nothing when they can.
std::optional<std::string> root_missing();

// A tmpfs of `size_kib` KiB mounted on `directory` (which must exist) until destruction.
class TmpfsMount {
 public:
  TmpfsMount(std::string directory, std::uint64_t size_kib);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  // Why the mount failed, or nothing if it is mounted.
  const std::optional<std::string>& failure() const { return failure_; }

 private:
  std::string directory_;
  std::optional<std::string> failure_;
};

// An ext4 file system of `size_mib` MiB in a file `image` on a loop device, mounted on `directory` (which
// must exist); the destructor unmounts it, detaches the device and deletes the file.
class LoopDisk {
 public:
  LoopDisk(std::string image, std::string directory, std::uint64_t size_mib);
  ~LoopDisk();
  LoopDisk(const LoopDisk&) = delete;
  LoopDisk& operator=(const LoopDisk&) = delete;
  const std::optional<std::string>& failure() const { return failure_; }
  // The loop device's "major:minor", as blkio and io controllers name a device.
  const std::string& device_numbers() const { return device_numbers_; }

 private:
  std::string image_;
  std::string directory_;
  std::string device_;  // /dev/loopN once attached.
  bool mounted_ = false;
  std::string device_numbers_;
  std::optional<std::string> failure_;
};

// A cgroup that limits writes to one device to `bytes_per_second`: cgroup v1's blkio controller when it is
// mounted at /sys/fs/cgroup/blkio, else cgroup v2's io controller at /sys/fs/cgroup. The destructor moves
// any process still in it back to the root group and removes it.
class WriteThrottle {
 public:
  WriteThrottle(const std::string& device_numbers, std::uint64_t bytes_per_second);
  ~WriteThrottle();
  WriteThrottle(const WriteThrottle&) = delete;
  WriteThrottle& operator=(const WriteThrottle&) = delete;
  const std::optional<std::string>& failure() const { return failure_; }
  // Moves process `pid` (all its threads) into the group; returns why not, or nothing.
  std::optional<std::string> add(pid_t pid);
  // Which controller does the throttling, for the test's output.
  const std::string& controller() const { return controller_; }

 private:
  std::string group_;  // The cgroup's directory, empty until created.
  std::string root_;   // The hierarchy's root, where processes go back.
  std::string controller_;
  std::optional<std::string> failure_;
};

}  // namespace edgecache::net::testing
