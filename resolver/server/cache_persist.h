// cache-save / cache-load and [cache] persist-file: the cache file (cache/cache_file.h) written to
// and read from disk. A save writes PATH.tmp and renames it over PATH, so a crash mid-write leaves
// the previous file whole; a load reads the file whole (at most kMaxCacheFileBytes) and stores
// nothing unless every record checks out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tern::cache {
class Caches;
}

namespace tern::server {

// A cache file larger than this is refused unread (a cache of size-mib 64 saves to ~20 MiB; the
// bound keeps a wrong path such as a disk image from being read into memory).
inline constexpr uint64_t kMaxCacheFileBytes = uint64_t(4) << 30;

struct CacheFileResult {
  std::string error;  // empty on success
  size_t rrsets = 0;
  size_t negative = 0;
  size_t expired = 0;  // loads only: records whose expiry passed since the save
};

CacheFileResult save_cache_file(const cache::Caches& caches, const std::string& path);
CacheFileResult load_cache_file(cache::Caches& caches, const std::string& path);

}  // namespace tern::server
