#pragma once
// The `load` command: C concurrent workers (coroutines on one thread) issue requests through the routed,
// failing-over fetch at an optional total rate, for a duration or a request count, with uniform or Zipf ids;
// every body is verified (HTTP: against its ETag; both protocols: every copy of an image must equal the
// first one seen). The report gives throughput, latency percentiles and outcomes by kind.

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "net/client/failover.h"

namespace edgecache::net::client {

enum class IdDistribution : std::uint8_t { uniform = 0, zipf = 1 };

constexpr std::size_t max_load_concurrency = 4096;
constexpr std::uint64_t max_load_images = 10'000'000;             // The Zipf table holds one double per image.
constexpr std::size_t max_recorded_latencies = 50'000'000;        // Beyond, latencies are no longer recorded.
constexpr std::int64_t load_progress_interval_ms = 500;

struct LoadOptions {
  std::size_t concurrency = 8;
  double rate_per_s = 0;        // Total requests per second over all workers; 0 means as fast as possible.
  double duration_s = 10;
  std::optional<std::uint64_t> request_count;  // Stop after this many requests even before duration_s.
  IdDistribution ids = IdDistribution::uniform;
  std::uint64_t images = 100;   // Ids 1..images.
  double zipf_exponent = 1.0;
  std::uint64_t seed = 1;
  double size_fraction = 0;     // Each request asks only the size (HEAD / get_image_size) with this probability.
  std::string trace_path;       // Where to write the client's node trace (docs/real-traces.md); empty: none.
};

struct LoadReport {
  std::uint64_t requests = 0;
  std::array<std::uint64_t, fetch_outcome_count> outcomes{};
  std::uint64_t failovers = 0;        // Requests answered by an edge other than the first one tried.
  std::uint64_t bodies_verified = 0;
  std::uint64_t bytes = 0;
  double elapsed_s = 0;
  std::vector<std::int64_t> latencies_us;  // Sorted when returned.
  std::vector<std::string> first_failures;  // Up to a few, for the report.

  std::uint64_t failed() const { return requests - outcomes[static_cast<std::size_t>(FetchOutcome::ok)]; }
  // The latency at quantile `q` (0..1) in microseconds; 0 without samples.
  std::int64_t latency_quantile_us(double q) const;
};

// Runs the load and returns its report. Writes a progress line to `progress` every
// load_progress_interval_ms when `show_progress`. If options.trace_path is set and cannot be opened, returns
// nothing and says why in `error`.
std::optional<LoadReport> run_load(const ClusterView& cluster, const LoadOptions& options, std::ostream& progress,
                                   bool show_progress, std::string& error);

// Prints `report` for people.
void print_load_report(const LoadReport& report, std::ostream& out);

}  // namespace edgecache::net::client
