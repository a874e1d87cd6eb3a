#pragma once
// Loads the canonical's images from a directory into a MemoryCatalog at start-up. Only files named
// image{N}.jpg, .png, .gif or .webp count (N a plain decimal id); other files are ignored.

#include <optional>
#include <string>

#include "core/catalog.h"
#include "net/log.h"

namespace edgecache::net {

// Adds every image file in `directory` to `catalog`. Returns a sentence saying why the directory cannot be
// used (missing, unreadable, two files for one id), or nothing on success. A single file over max_image_bytes
// or unreadable is skipped with a warning; the rest still load.
std::optional<std::string> load_image_directory(const std::string& directory, MemoryCatalog& catalog, Logger& logger);

}  // namespace edgecache::net
