#include "net/client/load_generator.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/hex.h"
#include "net/node_trace.h"

namespace edgecache::net::client {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t max_reported_failures = 5;

// Draws image ids 1..images, uniformly or with Zipf weights 1/k^s (id 1 the most popular), and whether a
// request asks only the size.
class IdSampler {
 public:
  IdSampler(const LoadOptions& options)
      : images_(options.images), size_fraction_(options.size_fraction), random_(options.seed) {
    if (options.ids == IdDistribution::zipf) {
      cumulative_.reserve(options.images);
      double total = 0;
      for (std::uint64_t rank = 1; rank <= options.images; ++rank) {
        total += 1.0 / std::pow(static_cast<double>(rank), options.zipf_exponent);
        cumulative_.push_back(total);
      }
    }
  }

  ImageId next() {
    if (cumulative_.empty()) return std::uniform_int_distribution<ImageId>(1, images_)(random_);
    const double point = std::uniform_real_distribution<double>(0, cumulative_.back())(random_);
    const auto found = std::upper_bound(cumulative_.begin(), cumulative_.end(), point);
    return static_cast<ImageId>(std::min<std::size_t>(found - cumulative_.begin(), cumulative_.size() - 1) + 1);
  }

  bool next_is_size_only() {
    return size_fraction_ > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < size_fraction_;
  }

 private:
  std::uint64_t images_;
  double size_fraction_;
  std::mt19937_64 random_;
  std::vector<double> cumulative_;
};

struct LoadState {
  LoadState(const ClusterView& cluster_ref, const LoadOptions& options_ref)
      : cluster(cluster_ref), options(options_ref), sampler(options_ref) {}
  const ClusterView& cluster;
  const LoadOptions& options;
  ClientHealth health;
  IdSampler sampler;
  Clock::time_point start;
  Clock::time_point end;
  std::uint64_t issued = 0;
  std::size_t workers_running = 0;
  std::map<ImageId, std::uint64_t> first_checksums;  // Every copy of an image must match the first one seen.
  LoadReport report;
  sim::NodeTraceWriter* trace = nullptr;
  std::uint64_t lamport = 0;  // The client's Lamport clock: it ticks per trace line (it sends no frames).
};

// The stamp of a client trace line written now.
sim::TraceStamp client_stamp(LoadState& state) {
  const auto since_start = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - state.start).count();
  return {since_start, wall_clock_us(), ++state.lamport};
}

// The core outcome a fetch outcome counts as for the checkers: a body that failed verification still counts
// as served (its checksum is recorded), so the served_bytes checker judges the bytes themselves.
const char* core_outcome_name(FetchOutcome outcome) {
  switch (outcome) {
    case FetchOutcome::ok:
    case FetchOutcome::checksum_mismatch: return "ok";
    case FetchOutcome::not_found: return "not_found";
    default: return "unavailable";
  }
}

void trace_submit(LoadState& state, std::uint64_t request, ImageId image_id, bool size_only) {
  if (state.trace == nullptr) return;
  // Every edge may be tried, each with its connect and request timeouts.
  const std::int64_t deadline_ms =
      static_cast<std::int64_t>(state.cluster.edges.size()) * (client_connect_timeout_ms + client_request_timeout_ms);
  const sim::TraceStamp stamp = client_stamp(state);
  sim::NodeTraceWriter::Line(*state.trace, stamp, "submit")
      .field("req", request)
      .field("kind", size_only ? "get_size" : "get_image")
      .field("image", std::uint64_t{image_id})
      .field("deadline_us", std::int64_t{stamp.t_us + deadline_ms * 1000});
}

void trace_result(LoadState& state, std::uint64_t request, ImageId image_id, bool size_only, const RoutedResult& routed,
                  std::int64_t latency_us) {
  if (state.trace == nullptr) return;
  const FetchResult& result = routed.result;
  sim::NodeTraceWriter::Line line(*state.trace, client_stamp(state), "result");
  line.field("req", request)
      .field("kind", size_only ? "get_size" : "get_image")
      .field("image", std::uint64_t{image_id})
      .field("outcome", core_outcome_name(result.outcome))
      .field("fetch_outcome", fetch_outcome_name(result.outcome))
      // Edges are named by their place in --edges, which lists them in id order: edge-1, edge-2, ...
      .field("served_by", routed.edge ? "edge-" + std::to_string(*routed.edge + 1) : std::string())
      .field("attempts", std::uint64_t{routed.attempts})
      .field("latency_us", latency_us);
  if (result.body) {
    line.field("size", std::uint64_t{result.body->size()}).field("checksum", hex64(result.body->checksum()));
  } else if (result.size) {
    line.field("size", *result.size);
  }
}

asio::awaitable<void> worker(LoadState& state) {
  EdgeConnections connections;
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer pacing(executor);
  while (true) {
    if (state.options.request_count && state.issued >= *state.options.request_count) break;
    const std::uint64_t slot = state.issued++;
    if (state.options.rate_per_s > 0) {
      // Request n is due at start + n / rate, whichever worker takes it: the rate is total, not per worker.
      const auto due = state.start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(static_cast<double>(slot) / state.options.rate_per_s));
      if (due >= state.end) break;
      pacing.expires_at(due);
      boost::system::error_code ignored;
      co_await pacing.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    } else if (Clock::now() >= state.end) {
      break;
    }
    const ImageId image_id = state.sampler.next();
    const bool size_only = state.sampler.next_is_size_only();
    trace_submit(state, slot + 1, image_id, size_only);
    const auto sent = Clock::now();
    RoutedResult routed = co_await fetch_with_failover(state.cluster, state.health, connections, image_id, size_only);
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count();
    trace_result(state, slot + 1, image_id, size_only, routed, latency);

    FetchResult& result = routed.result;
    if (result.outcome == FetchOutcome::ok && result.body) {
      auto [known, inserted] = state.first_checksums.emplace(image_id, result.body->checksum());
      if (!inserted && known->second != result.body->checksum()) {
        result.outcome = FetchOutcome::checksum_mismatch;
        result.detail = "image " + std::to_string(image_id) + " differs from an earlier copy";
      } else {
        ++state.report.bodies_verified;
        state.report.bytes += result.body->size();
      }
    }
    LoadReport& report = state.report;
    ++report.requests;
    ++report.outcomes[static_cast<std::size_t>(result.outcome)];
    if (routed.attempts > 1 && result.outcome == FetchOutcome::ok) ++report.failovers;
    if (report.latencies_us.size() < max_recorded_latencies) report.latencies_us.push_back(latency);
    if (result.outcome != FetchOutcome::ok && report.first_failures.size() < max_reported_failures) {
      std::string text = "image " + std::to_string(image_id) + ": " + fetch_outcome_name(result.outcome) + " (" + result.detail + ")";
      for (const std::string& earlier : routed.failures) text += "; after " + earlier;
      report.first_failures.push_back(text);
    }
  }
  --state.workers_running;
}

asio::awaitable<void> progress_printer(LoadState& state, std::ostream& out) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer tick(executor);
  while (state.workers_running > 0) {
    tick.expires_after(std::chrono::milliseconds(load_progress_interval_ms));
    co_await tick.async_wait(asio::use_awaitable);
    const double elapsed = std::chrono::duration<double>(Clock::now() - state.start).count();
    out << "\r" << std::fixed << std::setprecision(1) << elapsed << " s  requests " << state.report.requests
        << "  failed " << state.report.failed() << "  " << std::setprecision(0)
        << (elapsed > 0 ? static_cast<double>(state.report.requests) / elapsed : 0.0) << " req/s   " << std::flush;
  }
  out << "\r" << std::string(72, ' ') << "\r" << std::flush;
}

}  // namespace

std::int64_t LoadReport::latency_quantile_us(double q) const {
  if (latencies_us.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(latencies_us.size())));
  return latencies_us[std::clamp<std::size_t>(rank, 1, latencies_us.size()) - 1];
}

std::optional<LoadReport> run_load(const ClusterView& cluster, const LoadOptions& options, std::ostream& progress,
                                   bool show_progress, std::string& error) {
  asio::io_context context(1);
  LoadState state(cluster, options);
  state.start = Clock::now();
  std::unique_ptr<sim::NodeTraceWriter> trace;
  if (!options.trace_path.empty()) {
    trace = sim::NodeTraceWriter::open(options.trace_path, "client-1", {}, error);
    if (!trace) return std::nullopt;
    nlohmann::ordered_json edges = nlohmann::ordered_json::array();
    for (const Address& edge : cluster.edges) edges.push_back(edge.to_string());
    trace->header({{"node", "client-1"}, {"node_id", 0}, {"role", "client"}, {"wall_us", wall_clock_us()},
                   {"edges", edges}, {"rate_per_s", options.rate_per_s}, {"duration_s", options.duration_s},
                   {"ids", options.ids == IdDistribution::zipf ? "zipf" : "uniform"}, {"images", options.images},
                   {"zipf_exponent", options.zipf_exponent}, {"size_fraction", options.size_fraction},
                   {"seed", std::to_string(options.seed)}});
    state.trace = trace.get();
  }
  state.end = state.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.duration_s));
  state.workers_running = options.concurrency;
  for (std::size_t index = 0; index < options.concurrency; ++index) {
    asio::co_spawn(context, worker(state), asio::detached);
  }
  if (show_progress) asio::co_spawn(context, progress_printer(state, progress), asio::detached);
  context.run();
  state.report.elapsed_s = std::chrono::duration<double>(Clock::now() - state.start).count();
  std::sort(state.report.latencies_us.begin(), state.report.latencies_us.end());
  if (trace) trace->close({{"lines", trace->lines()}, {"requests", state.report.requests}});
  return std::move(state.report);
}

void print_load_report(const LoadReport& report, std::ostream& out) {
  const double seconds = std::max(report.elapsed_s, 1e-9);
  auto ms = [](std::int64_t us) { return static_cast<double>(us) / 1000.0; };
  out << std::fixed << std::setprecision(1);
  out << "requests      " << report.requests << " in " << report.elapsed_s << " s: "
      << static_cast<double>(report.requests) / seconds << " req/s, "
      << static_cast<double>(report.bytes) / seconds / 1e6 << " MB/s\n";
  out << std::setprecision(2);
  out << "latency ms    p50 " << ms(report.latency_quantile_us(0.50)) << "  p90 " << ms(report.latency_quantile_us(0.90))
      << "  p99 " << ms(report.latency_quantile_us(0.99)) << "  max "
      << ms(report.latencies_us.empty() ? 0 : report.latencies_us.back()) << "\n";
  out << "outcomes     ";
  for (std::size_t index = 0; index < fetch_outcome_count; ++index) {
    if (report.outcomes[index] != 0 || index == 0) {
      out << " " << fetch_outcome_name(static_cast<FetchOutcome>(index)) << " " << report.outcomes[index];
    }
  }
  out << "\n";
  out << "failovers     " << report.failovers << " requests served by a later edge\n";
  out << "verified      " << report.bodies_verified << " bodies\n";
  for (const std::string& failure : report.first_failures) out << "failure       " << failure << "\n";
}

}  // namespace edgecache::net::client
