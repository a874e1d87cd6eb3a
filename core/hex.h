#pragma once
// How checksums, digests and hashes are written wherever people or files see them: 16 lowercase hex digits
// (trace hashes, node trace digests, ETags, disk cache file names).

#include <cstdint>
#include <string>

namespace edgecache {

std::string hex64(std::uint64_t value);

}  // namespace edgecache
