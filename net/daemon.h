#pragma once
// Runs one node (canonical or edge) as a real daemon: one io_context on the calling thread, peer links, the
// HTTP front end, and SIGTERM/SIGINT for a clean shutdown. This is where the real world is chosen; the node
// objects are core's own, unchanged.

#include <ostream>

#include "net/config.h"

namespace edgecache::net {

// Runs until SIGTERM or SIGINT. Returns the process exit code: 0 after a clean shutdown, 1 if start-up
// failed (a port in use, an unusable images directory), 3 if the cluster key file is missing or unusable.
// Logs go to `log_stream`.
int run_daemon(const DaemonConfig& config, std::ostream& log_stream);

}  // namespace edgecache::net
