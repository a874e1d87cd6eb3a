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
#include "net/message_log.h"
#include "net/peer_links.h"
#include "net/real_env.h"
#include "net/trace_headers.h"
#include "sim/trace/edge_config_json.h"
#include "sim/trace/node_trace_writer.h"

namespace edgecache::net {

namespace asio = boost::asio;

namespace {

// Everything one daemon shares, whatever its role. Members are destroyed in reverse order, so the
// io_context outlives every object that holds a timer or socket on it.
struct Runtime {
  Runtime(const DaemonConfig& daemon_config, std::ostream& log_stream)
      : config(daemon_config), context(1),
        logger(log_stream, daemon_config.id, daemon_role_name(daemon_config.role), daemon_config.log_level,
               daemon_config.log_format, trace_host_names(daemon_config)),
        message_log(logger, daemon_config.id, daemon_config.canonical_id),
        signals(context, SIGTERM, SIGINT) {}

  const DaemonConfig& config;
  asio::io_context context;  // Concurrency hint 1: one thread runs it (the disk writer only posts to it).
  Logger logger;
  MessageLog message_log;
  asio::signal_set signals;
  std::optional<ClusterKey> key;  // None with --insecure-peers.
};

// Every node this one may send to: all edges plus the canonical, minus itself.
std::map<NodeId, Address> peer_addresses(const DaemonConfig& config) {
  std::map<NodeId, Address> peers = config.edges;
  if (config.canonical_address) peers[config.canonical_id] = *config.canonical_address;
  peers.erase(config.id);
  return peers;
}

// Starts the node trace if --trace asked for one: writes the common header fields plus `role_fields` and
// hands the trace to the env. Returns false (logged) if the file cannot be opened.
bool start_trace(Runtime& runtime, RealEnv& env, const nlohmann::ordered_json& role_fields,
                 std::unique_ptr<sim::NodeTraceWriter>& trace) {
  if (runtime.config.trace_path.empty()) return true;
  std::map<NodeId, std::string> names = trace_host_names(runtime.config);
  std::string error;
  trace = sim::NodeTraceWriter::open(runtime.config.trace_path, names.at(runtime.config.id), names, error);
  if (!trace) {
    runtime.logger.error("trace_unusable", {{"flag", "trace"}, {"reason", error}});
    return false;
  }
  nlohmann::ordered_json header = daemon_trace_header(runtime.config, env);
  for (const auto& [key, value] : role_fields.items()) header[key] = value;
  trace->header(std::move(header));
  env.set_trace(trace.get());
  return true;
}

// What the peer links do with a message that arrived: show it to the message log, then hand it to the node's
// env (which exists by the time any peer connects).
auto deliver_logged(Runtime& runtime, std::optional<RealEnv>& env) {
  return [&runtime, &env](NodeId from, Message message, std::uint64_t lamport) {
    runtime.message_log.received(from, message);
    env->deliver(from, std::move(message), lamport);
  };
}

// Listens on both ports, waits for a signal and then stops everything. Returns the exit code.
int serve(Runtime& runtime, PeerLinks& links, HttpServer* http, RealEnv& env, sim::NodeTraceWriter* trace) {
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
  if (trace != nullptr) trace->close({{"lines", trace->lines()}, {"stopped_by", "signal"}});
  return 0;
}

int run_canonical(Runtime& runtime) {
  MemoryCatalog catalog;
  if (auto error = load_image_directory(runtime.config.images_dir, catalog, runtime.logger)) {
    runtime.logger.error("images_dir_unusable", {{"reason", *error}});
    return 1;
  }
  runtime.logger.info("catalog_loaded", {{"images", catalog.image_count()}, {"images_dir", runtime.config.images_dir}});

  std::unique_ptr<sim::NodeTraceWriter> trace;
  std::optional<RealEnv> env;
  PeerLinks links(runtime.context, runtime.config.id, peer_addresses(runtime.config), runtime.key, runtime.logger,
                  deliver_logged(runtime, env));
  MessageRouter router(links, nullptr);
  LoggedSink logged_router(router, runtime.message_log);
  env.emplace(runtime.context, runtime.config.id, logged_router);
  if (!start_trace(runtime, *env, {{"catalog", catalog_json(catalog)}}, trace)) return 1;
  Canonical canonical(*env, catalog);
  env->attach(canonical);
  CanonicalHttpHandler handler(runtime.config.id, catalog, canonical, links);
  std::optional<HttpServer> http;
  if (runtime.config.http_listen) http.emplace(runtime.context, handler, runtime.logger);
  return serve(runtime, links, http ? &*http : nullptr, *env, trace.get());
}

int run_edge(Runtime& runtime) {
  std::unique_ptr<sim::NodeTraceWriter> trace;
  std::optional<RealEnv> env;
  PeerLinks links(runtime.context, runtime.config.id, peer_addresses(runtime.config), runtime.key, runtime.logger,
                  deliver_logged(runtime, env));
  MessageRouter router(links, nullptr);
  LoggedSink logged_router(router, runtime.message_log);
  env.emplace(runtime.context, runtime.config.id, logged_router);
  LruCache cache(runtime.config.cache_bytes);
  // The disk copy fills the cache before the edge exists, so the edge starts with what it held before. Its
  // writer thread posts completions to the io_context; the context outlives it (Runtime), and by the time
  // the disk cache is destroyed the context has stopped, so no completion runs after it is gone.
  std::optional<DiskCache> disk;
  if (!runtime.config.data_dir.empty()) {
    disk.emplace(runtime.config.data_dir, runtime.context, runtime.logger);
    if (auto error = disk->load(cache)) {
      runtime.logger.error("data_dir_unusable", {{"reason", *error}});
      return 1;
    }
  }
  const nlohmann::ordered_json edge_fields = {
      {"edge_config", sim::edge_config_json(runtime.config.edge)},
      {"cache_budget_bytes", runtime.config.cache_bytes},
      {"preloaded", preloaded_cache_json(cache, disk ? disk->load_order() : std::vector<ImageId>{})}};
  if (!start_trace(runtime, *env, edge_fields, trace)) return 1;
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
      if (trace) trace->state(env->stamp(), status);
    }
    last_status = status;
  });

  // The edge always answers a local request within its origin timeout; the margin only bounds a bug.
  LocalClients local(runtime.context, *env, runtime.config.edge.origin_timeout_ms + local_request_margin_ms,
                     max_http_connections);
  router.set_local(&local);
  EdgeHttpHandler handler(edge, local, links, disk ? &*disk : nullptr);
  std::optional<HttpServer> http;
  if (runtime.config.http_listen) http.emplace(runtime.context, handler, runtime.logger);
  return serve(runtime, links, http ? &*http : nullptr, *env, trace.get());
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
  // A write to a connection the peer has reset raises SIGPIPE unless the call says MSG_NOSIGNAL; Asio's
  // writes do, but sendfile(2), which sends cache hits from the disk cache's files, cannot. The error it
  // returns (EPIPE) is all the session needs.
  std::signal(SIGPIPE, SIG_IGN);
  Runtime runtime(config, log_stream);
  raise_open_file_limit(runtime.logger);
  if (config.insecure_peers) {
    runtime.logger.warn("insecure_peers");
  } else {
    auto key = read_cluster_key_file(config.cluster_key_file);
    if (const auto* error = std::get_if<std::string>(&key)) {
      runtime.logger.error("cluster_key_unusable", {{"flag", "cluster-key-file"}, {"reason", *error}});
      return 3;
    }
    runtime.key.emplace(std::move(std::get<ClusterKey>(key)));
  }
  return config.role == DaemonRole::canonical ? run_canonical(runtime) : run_edge(runtime);
}

}  // namespace edgecache::net
