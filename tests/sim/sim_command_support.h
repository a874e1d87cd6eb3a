#pragma once
// Shared by the tests that run the built `sim` binary (its path is the compile definition
// EDGECACHE_SIM_BINARY): running it and collecting its output and exit status, and a scratch directory per
// test case so that suites running side by side never share a file.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace edgecache::sim::testing {

struct CommandResult {
  int status = -1;
  std::string output;  // stdout, and stderr too unless it was discarded.
};

// Runs `sim ARGUMENTS` in `directory` (the current one if empty). With `discard_stderr`, stdout alone is
// captured (a --json object must then parse on its own).
inline CommandResult run_sim(const std::filesystem::path& directory, const std::string& arguments,
                             bool discard_stderr = false) {
  std::string command = directory.empty() ? std::string() : "cd '" + directory.string() + "' && ";
  command += std::string(EDGECACHE_SIM_BINARY) + " " + arguments + (discard_stderr ? " 2>/dev/null" : " 2>&1");
  CommandResult result;
  std::FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A fresh directory for one test case, named by the suite, the case and the process, removed at the end.
class ScratchDirectory {
 public:
  ScratchDirectory(const std::string& suite, const std::string& name)
      : path_(std::filesystem::temp_directory_path() / (suite + "_" + name + "_" + std::to_string(getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDirectory() { std::filesystem::remove_all(path_); }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace edgecache::sim::testing
