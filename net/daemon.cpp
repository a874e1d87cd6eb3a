#include "net/daemon.h"

#include <sys/resource.h>

#include <csignal>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "core/canonical.h"
#include "core/catalog.h"
#include "core/edge.h"
#include "core/lru_cache.h"
#include "net/disk_cache.h"
#include "net/http_handlers.h"
#include "net/http_server.h"
#include "net/image_directory.h"
#include "net/limits.h"
#include "net/local_clients.h"
#include "net/peer_links.h"
#include "net/real_env.h"

namespace edgecache::net {

namespace asio = boost::asio;

namespace {

// Everything one daemon shares, whatever its role. Members are destroyed in reverse order, so the
// io_context outlives every object that holds a timer or socket on it.
struct Runtime {
  Runtime(const DaemonConfig& daemon_config, std::ostream& log_stream)
      : config(daemon_config), context(1),
        logger(log_stream, daemon_config.id, daemon_role_name(daemon_config.role), daemon_config.log_level),
        signals(context, SIGTERM, SIGINT) {}

  const DaemonConfig& config;
  asio::io_context context;  // Concurrency hint 1: the daemon runs exactly one thread.
  Logger logger;
  asio::signal_set signals;
};

// Every node this one may send to: all edges plus the canonical, minus itself.
std::map<NodeId, Address> peer_addresses(const DaemonConfig& config) {
  std::map<NodeId, Address> peers = config.edges;
  if (config.canonical_address) peers[config.canonical_id] = *config.canonical_address;
  peers.erase(config.id);
  return peers;
}

// Listens on both ports, waits for a signal and then stops everything. Returns the exit code.
int serve(Runtime& runtime, PeerLinks& links, HttpServer* http, RealEnv& env) {
  if (auto error = links.listen(runtime.config.listen)) {
    runtime.logger.error("listen_failed", {{"flag", "listen"}, {"reason", *error}});
    return 1;
  }
  if (http != nullptr) {
    if (auto error = http->listen(*runtime.config.http_listen)) {
      runtime.logger.error("listen_failed", {{"flag", "http-listen"}, {"reason", *error}});
      return 1;
    }
  }
  runtime.signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    runtime.logger.info("shutdown", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
    links.stop();
    if (http != nullptr) http->stop();
    runtime.context.stop();
  });
  links.start();
  env.start();
  runtime.logger.info("started", {{"listen", runtime.config.listen.to_string()},
                                  {"http_listen", runtime.config.http_listen ? runtime.config.http_listen->to_string() : ""}});
  runtime.context.run();
  runtime.logger.info("stopped");
  return 0;
}

int run_canonical(Runtime& runtime) {
  MemoryCatalog catalog;
  if (auto error = load_image_directory(runtime.config.images_dir, catalog, runtime.logger)) {
    runtime.logger.error("images_dir_unusable", {{"reason", *error}});
    return 1;
  }
  runtime.logger.info("catalog_loaded", {{"images", catalog.image_count()}, {"images_dir", runtime.config.images_dir}});

  std::optional<RealEnv> env;
  PeerLinks links(runtime.context, runtime.config.id, peer_addresses(runtime.config), runtime.logger,
                  [&env](NodeId from, Message message) { env->deliver(from, std::move(message)); });
  MessageRouter router(links, nullptr);
  env.emplace(runtime.context, runtime.config.id, router);
  Canonical canonical(*env, catalog);
  env->attach(canonical);
  CanonicalHttpHandler handler(runtime.config.id, catalog, canonical, links);
  std::optional<HttpServer> http;
  if (runtime.config.http_listen) http.emplace(runtime.context, handler, runtime.logger);
  return serve(runtime, links, http ? &*http : nullptr, *env);
}

int run_edge(Runtime& runtime) {
  std::optional<RealEnv> env;
  PeerLinks links(runtime.context, runtime.config.id, peer_addresses(runtime.config), runtime.logger,
                  [&env](NodeId from, Message message) { env->deliver(from, std::move(message)); });
  MessageRouter router(links, nullptr);
  env.emplace(runtime.context, runtime.config.id, router);
  LruCache cache(runtime.config.cache_bytes);
  // The disk copy fills the cache before the edge exists, so the edge starts with what it held before.
  std::optional<DiskCache> disk;
  if (!runtime.config.data_dir.empty()) {
    disk.emplace(runtime.config.data_dir, runtime.logger);
    if (auto error = disk->load(cache)) {
      runtime.logger.error("data_dir_unusable", {{"reason", *error}});
      return 1;
    }
  }
  Edge edge(*env, runtime.config.edge, cache);
  if (disk) edge.set_cache_listener(&*disk);

  // Log each change of belief about the leader, which is what an operator watching a failover wants to see.
  EdgeStatus last_status = edge.status();
  env->attach(edge, [&] {
    const EdgeStatus status = edge.status();
    if (status.leader != last_status.leader || status.epoch != last_status.epoch || status.role != last_status.role) {
      runtime.logger.info("leader_changed", {{"leader", status.leader ? nlohmann::ordered_json(*status.leader) : nlohmann::ordered_json(nullptr)},
                                             {"epoch", status.epoch},
                                             {"state", role_name(status.role)}});
    }
    last_status = status;
  });

  // The edge always answers a local request within its origin timeout; the margin only bounds a bug.
  LocalClients local(runtime.context, *env, runtime.config.edge.origin_timeout_ms + local_request_margin_ms,
                     max_http_connections);
  router.set_local(&local);
  EdgeHttpHandler handler(edge, local, links);
  std::optional<HttpServer> http;
  if (runtime.config.http_listen) http.emplace(runtime.context, handler, runtime.logger);
  return serve(runtime, links, http ? &*http : nullptr, *env);
}

// Raises the soft limit on open descriptors to the hard limit: the default soft limit (often 1024) is below
// max_http_connections plus peer links and files, and running out makes accept fail.
void raise_open_file_limit(Logger& logger) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  logger.debug("open_file_limit", {{"descriptors", static_cast<std::uint64_t>(limit.rlim_cur)}});
}

}  // namespace

int run_daemon(const DaemonConfig& config, std::ostream& log_stream) {
  Runtime runtime(config, log_stream);
  raise_open_file_limit(runtime.logger);
  return config.role == DaemonRole::canonical ? run_canonical(runtime) : run_edge(runtime);
}

}  // namespace edgecache::net
