// edgecache-server: one binary for both roles (--role canonical|edge). Parses the configuration, then hands
// over to the daemon. Exit codes: 0 clean shutdown, 1 start-up failure, 2 bad configuration, 3 an unusable
// cluster key file.

#include <cstdlib>
#include <iostream>

#include "net/config.h"
#include "net/daemon.h"

int main(int argc, char** argv) {
  using namespace edgecache::net;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const ConfigResult result = parse_daemon_config(args, [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
  if (const auto* help = std::get_if<ConfigHelp>(&result)) {
    std::cout << help->text;
    return 0;
  }
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    std::cerr << "edgecache-server: " << error->message << "\n(see edgecache-server --help)\n";
    return 2;
  }
  return run_daemon(std::get<DaemonConfig>(result), std::cout);
}
