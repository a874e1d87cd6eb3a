// edgecache-client: talks to the edges over HTTP or the original RPC, with routing and failover. Commands:
// interactive (the original's menu), get, size, status, load. See --help for flags and exit codes.

#include <cstdlib>
#include <iostream>

#include "net/client/client_options.h"
#include "net/client/commands.h"

int main(int argc, char** argv) {
  using namespace edgecache::net::client;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const ClientOptionsResult result = parse_client_options(args, [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
  if (const auto* help = std::get_if<ClientHelp>(&result)) {
    std::cout << help->text;
    return exit_ok;
  }
  if (const auto* error = std::get_if<ClientOptionsError>(&result)) {
    std::cerr << "edgecache-client: " << error->message << "\n(see edgecache-client --help)\n";
    return exit_usage;
  }
  const ClientOptions& options = std::get<ClientOptions>(result);
  switch (options.command) {
    case ClientCommand::get: return run_get(options, std::cout, std::cerr);
    case ClientCommand::size: return run_size(options, std::cout, std::cerr);
    case ClientCommand::status: return run_status(options, std::cout, std::cerr);
    case ClientCommand::load: return run_load(options, std::cout, std::cerr);
    case ClientCommand::interactive: return run_interactive(options, std::cin, std::cout, std::cerr);
  }
  return exit_usage;
}
