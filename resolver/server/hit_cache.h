// The per-worker cache of encoded responses consulted before the backend (issue 6's packet cache).
// An interface so the front end's tests can run a worker without one; ternd plugs in the
// cache::PacketCache adapter (packet_cache_adapter.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "resolver/server/backend_stats.h"
#include "resolver/server/client_query.h"

namespace tern::server {

class HitCache {
 public:
  virtual ~HitCache() = default;
  // On a hit, writes the response for `query` (ID, question spelling, TTLs patched) into `out`.
  // `tcp` is part of the key: a TCP answer may be larger than any UDP client may receive.
  // `prefetch_due` (nullptr: prefetch is off) is set when this hit is the first one in the last
  // 10% of the entry's lifetime: the caller should have the backend refresh it.
  virtual bool lookup(std::span<const uint8_t> query, bool tcp, std::vector<uint8_t>& out,
                      bool* prefetch_due) = 0;
  // Stores a complete (not truncated) response that may be served for `ttl` seconds.
  virtual void insert(std::span<const uint8_t> query, std::span<const uint8_t> response, bool tcp,
                      uint32_t ttl) = 0;
  virtual void clear() = 0;
  // Adds hits, misses, bytes and entries (worker thread only).
  virtual void add_stats(PacketCacheStats&) const {}
};

}  // namespace tern::server
