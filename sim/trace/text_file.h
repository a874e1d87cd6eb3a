#pragma once
// Whole-file reads and writes for the readers of scenarios and traces, which parse text already in memory,
// and for the commands that write scenarios and pages.

#include <optional>
#include <string>

namespace edgecache::sim {

// Returns the whole content of the file at `path`, or nothing if it cannot be opened or read.
std::optional<std::string> read_text_file(const std::string& path);

// Replaces the content of the file at `path` (creating it) with `text`. Returns whether all of it was
// written; errno then says why not.
bool write_text_file(const std::string& path, const std::string& text);

}  // namespace edgecache::sim
