#pragma once
// Whole-file reads for the readers of scenarios and traces, which parse text already in memory.

#include <optional>
#include <string>

namespace edgecache::sim {

// Returns the whole content of the file at `path`, or nothing if it cannot be opened or read.
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace edgecache::sim
