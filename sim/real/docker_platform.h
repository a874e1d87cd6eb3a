#pragma once
// Daemons as containers of the edgecache Docker image (docs/docker.md) on Docker networks made for the run:
// one object is both the cluster's HostNetwork and its HostRunner.

#include <cstdint>
#include <memory>
#include <string>

#include "sim/real/host_network.h"
#include "sim/real/host_runner.h"

namespace edgecache::sim::real {

// Both views of one Docker platform; empty pointers if it could not be set up.
struct DockerCluster {
  std::shared_ptr<HostNetwork> network;
  std::shared_ptr<HostRunner> runner;
};

// Sets up a Docker network for a cluster of `edges` edges from `image`, sharing WORK_DIR's traces, images and
// data folders with the containers, and publishing edge-i's HTTP port on 127.0.0.1:BASE_PORT+100+i. Returns
// empty pointers and sets `error` if the image is missing or the network cannot be made. Containers and
// networks are removed when the last pointer goes.
DockerCluster make_docker_platform(std::uint32_t edges, std::string image, std::string work_dir, std::uint16_t base_port,
                                   std::string& error);

}  // namespace edgecache::sim::real
