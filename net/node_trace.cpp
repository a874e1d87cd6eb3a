#include "net/node_trace.h"

#include <chrono>

namespace edgecache::net {

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace edgecache::net
