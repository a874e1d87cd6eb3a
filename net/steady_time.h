#pragma once
// Microseconds of std::chrono::steady_clock since construction: a node's monotonic local time.

#include <chrono>

#include "core/types.h"

namespace edgecache::net {

class SteadyTime {
 public:
  SteadyTime() : start_(std::chrono::steady_clock::now()) {}

  TimeUs now_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace edgecache::net
