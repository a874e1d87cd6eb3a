// The `sim` command: the simulator alone. `sim real` drives real daemons, which needs Boost and sockets; that
// lives in `sim-real`, built beside this binary, and `sim real` is handed over to it whole.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/cli/dispatch.h"

namespace {

// Replaces this process with `sim-real real ARGS...`. Returns only if that cannot be done.
int exec_sim_real(const std::vector<std::string>& real_args) {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  const std::filesystem::path sim_real = self.parent_path() / "sim-real";
  if (error || !std::filesystem::exists(sim_real)) {
    std::fprintf(stderr,
                 "sim real: %s is not built; it runs real daemons and is a separate binary so that the simulator "
                 "builds without net/ (build it with: tools/build sim_real edgecache-server edgecache-client "
                 "edgecache-gen-images)\n",
                 sim_real.c_str());
    return edgecache::sim::exit_bad_input;
  }
  std::vector<std::string> words = {sim_real.string(), "real"};
  words.insert(words.end(), real_args.begin(), real_args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  std::fprintf(stderr, "sim real: cannot run %s: %s\n", sim_real.c_str(), std::strerror(errno));
  return edgecache::sim::exit_bad_input;
}

}  // namespace

int main(int argc, char** argv) {
  return edgecache::sim::dispatch_sim_command({argv + 1, argv + argc}, exec_sim_real);
}
