#pragma once
// Recorded runs shared by the node trace tests: a healthy three-edge cluster serving a few local requests,
// and its variants (two edges that never hear each other, an edge that crashes and restarts). Each writes
// its traces as files into a scratch directory, as daemons started with --trace would.

#include <fstream>
#include <string>
#include <vector>

#include "tests/sim/recorded_cluster.h"
#include "tests/sim/sim_command_support.h"

namespace edgecache::sim::testing {

// Edges 1..3 and the canonical (4), three images, twenty requests spread over the edges in the first two
// seconds, then quiet until `end_us` so the liveness checks have their quiet period.
inline RecordedCluster healthy_cluster() {
  return RecordedCluster({1, 2, 3}, 4, {{0, 2000}, {1, 5000}, {2, 300}});
}

inline void play_requests(RecordedCluster& cluster) {
  for (int i = 0; i < 20; ++i) {
    cluster.request_image(500'000 + i * 50'000, static_cast<NodeId>(1 + i % 3), static_cast<ImageId>(i % 3));
  }
}

// Plays the healthy run: starts `cluster`, plays the requests, runs it until `end_us` and shuts every node
// down cleanly (each trace gets its summary line).
inline void play_healthy_run(RecordedCluster& cluster, TimeUs end_us) {
  cluster.start();
  play_requests(cluster);
  cluster.run_until(end_us);
  cluster.shut_down();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
}

// Writes every trace of `cluster` into `directory` (edge-N.jsonl, edge-N.2.jsonl for a second incarnation,
// canonical.jsonl, client-1.jsonl) and returns the paths, in that order.
inline std::vector<std::string> write_traces(const RecordedCluster& cluster, const ScratchDirectory& directory,
                                             const std::vector<NodeId>& nodes) {
  std::vector<std::string> paths;
  for (NodeId id : nodes) {
    std::vector<std::string> texts = cluster.traces_of(id);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      std::string path = directory.file(cluster.name(id) + (i == 0 ? "" : "." + std::to_string(i + 1)) + ".jsonl");
      write_file(path, texts[i]);
      paths.push_back(path);
    }
  }
  std::string client = directory.file("client-1.jsonl");
  write_file(client, cluster.client_trace());
  paths.push_back(client);
  return paths;
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

inline std::string quoted_paths(const std::vector<std::string>& paths) {
  std::string text;
  for (const std::string& path : paths) text += " '" + path + "'";
  return text;
}

}  // namespace edgecache::sim::testing
