#pragma once
// A child process that `sim real` starts and then crashes, pauses, resumes and stops with signals, as an
// operator (or a chaos tool) would do to a real daemon.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace edgecache::sim::real {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // Kills the process (SIGKILL) if it is still running, so no daemon outlives a run.
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv` (argv[0] a path) with stdout appended to `log_path` and stderr to `error_path` (to
  // `log_path` too when empty). Returns a sentence saying why it could not, or nothing. REQUIRES: not running.
  std::optional<std::string> start(const std::vector<std::string>& argv, const std::string& log_path,
                                   const std::string& error_path = "");

  // Sends `signal_number`; returns whether the process existed to receive it.
  bool signal(int signal_number);

  // Waits up to `timeout` for the process to exit and reaps it. Returns its wait status, or nothing if it
  // is still running at the timeout (or was never started).
  std::optional<int> wait(std::chrono::milliseconds timeout);

  // Whether a started process has not been reaped yet (it may be stopped by SIGSTOP).
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = 0;
};

}  // namespace edgecache::sim::real
