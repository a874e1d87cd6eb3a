#pragma once
// Vocabulary types shared by every node and both worlds (simulated and real).

#include <cstdint>

namespace edgecache {

// Identifies a node in the cluster. Edges compare ids for the Bully election: the highest live id leads.
using NodeId = std::uint32_t;
// Identifies an image in the canonical catalog.
using ImageId = std::uint64_t;
// Correlates a reply with its request; unique per sender for the sender's lifetime.
using RequestId = std::uint64_t;
// Election term: a new leader announces a larger epoch than any it has seen, and stale epochs are ignored.
using Epoch = std::uint64_t;
// Time in microseconds. Node-local clocks are monotonic but may be offset and drift relative to each other.
using TimeUs = std::int64_t;

constexpr TimeUs us_per_ms = 1000;
constexpr TimeUs ms_to_us(std::int64_t milliseconds) { return milliseconds * us_per_ms; }

// Request outcomes carried in replies. Every request a node accepts gets exactly one of these.
enum class Status : std::uint8_t {
  ok = 0,
  not_found = 1,    // The canonical catalog has no such image.
  unavailable = 2,  // The image exists or may exist, but could not be obtained in time.
};

const char* status_name(Status status);

}  // namespace edgecache
