#pragma once
// The edgecache-client command line. Flags may come before or after the command; --edges falls back to the
// EDGECACHE_EDGES environment variable. A bad value is a ClientOptionsError naming the flag (exit code 2).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "net/client/failover.h"
#include "net/client/load_generator.h"

namespace edgecache::net::client {

// Exit codes, distinct per failure class so scripts can tell them apart.
constexpr int exit_ok = 0;
constexpr int exit_request_failed = 1;  // Every edge failed (down, timed out, 503), or a load run had failures.
constexpr int exit_usage = 2;           // Bad command line.
constexpr int exit_not_found = 3;       // The image does not exist.
constexpr int exit_verify_failed = 4;   // A body did not match its checksum or another copy.
constexpr int exit_io_failed = 5;       // The output file could not be written.

enum class ClientCommand : std::uint8_t { interactive = 0, get = 1, size = 2, status = 3, load = 4 };

struct ClientOptions {
  ClusterView cluster;
  ClientCommand command = ClientCommand::interactive;
  ImageId image_id = 0;           // get, size.
  std::string output_file;        // get: "-o"; empty means downloaded_image_{id}.jpg in output_dir.
  std::string output_dir = ".";   // get and interactive.
  LoadOptions load;
};

struct ClientHelp {
  std::string text;
};
struct ClientOptionsError {
  std::string message;
};
using ClientOptionsResult = std::variant<ClientOptions, ClientHelp, ClientOptionsError>;

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Parses `args` (without the program name).
ClientOptionsResult parse_client_options(const std::vector<std::string>& args, const EnvironmentLookup& lookup);

}  // namespace edgecache::net::client
