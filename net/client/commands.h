#pragma once
// The edgecache-client commands other than load: get, size, status and the original's interactive menu.
// Each returns a process exit code (client_options.h) and writes results to `out`, failures to `err`.

#include <istream>
#include <ostream>

#include "net/client/client_options.h"

namespace edgecache::net::client {

int run_get(const ClientOptions& options, std::ostream& out, std::ostream& err);
int run_size(const ClientOptions& options, std::ostream& out, std::ostream& err);
int run_status(const ClientOptions& options, std::ostream& out, std::ostream& err);
int run_load(const ClientOptions& options, std::ostream& out, std::ostream& err);
// Reads menu choices and ids from `in` until "3" or end of input.
int run_interactive(const ClientOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace edgecache::net::client
