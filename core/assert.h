#pragma once
// Assertions for programmer errors. They stay on in every build type, release included: a broken
// invariant in node logic must stop the run where it happened, not corrupt a trace later.
// Failures of the network, of peers or of input are never asserted; they are values the code handles.

#include <cstdio>
#include <cstdlib>

namespace edgecache::detail {
[[noreturn]] inline void assertion_failed(const char* condition, const char* message, const char* file, int line) {
  std::fprintf(stderr, "assertion failed: %s (%s) at %s:%d\n", condition, message, file, line);
  std::fflush(stderr);
  std::abort();
}
}  // namespace edgecache::detail

#define EC_ASSERT(condition, message)                                                          \
  do {                                                                                         \
    if (!(condition)) ::edgecache::detail::assertion_failed(#condition, message, __FILE__, __LINE__); \
  } while (false)
