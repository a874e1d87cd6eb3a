#pragma once
// The fault model of one directed link, shared by the world (which applies it) and the scenario format
// (which reads and writes it).

#include <cstdint>

namespace edgecache::sim {

enum class LatencyDistribution : std::uint8_t { constant, uniform, normal, lognormal };

// How messages travel over one directed link. Delay = latency draw + jitter draw + size / bandwidth.
struct LinkOptions {
  LatencyDistribution latency_distribution = LatencyDistribution::constant;
  double latency_ms_mean = 1.0;
  double latency_ms_stddev = 0.0;     // normal and lognormal spread; uniform spans mean +- stddev * sqrt(3).
  double jitter_ms = 0.0;             // Extra uniform [0, jitter_ms) delay; lets messages overtake each other.
  double loss_probability = 0.0;      // Each message is lost with this probability.
  double duplicate_probability = 0.0; // Each delivered message is delivered twice with this probability.
  double bandwidth_bytes_per_ms = 0.0;  // 0 means size adds no delay.

  friend bool operator==(const LinkOptions&, const LinkOptions&) = default;
};

}  // namespace edgecache::sim
