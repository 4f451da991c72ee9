// Where an entry stands in time: fresh until its expiry, then stale (usable only for RFC 8767
// serve-stale) for stale_window seconds when serve-stale is on, then dead (removed on sight and
// evicted first).
#pragma once

#include <cstdint>

#include "cache/cache_limits.h"
#include "cache/time.h"

namespace tern::cache {

enum class Freshness : uint8_t { Fresh, Stale, Dead };

inline Freshness freshness(Instant expiry, Instant now, const CacheLimits& limits) {
  if (now < expiry) return Freshness::Fresh;
  if (limits.serve_stale && now < expiry + Seconds(limits.stale_window)) return Freshness::Stale;
  return Freshness::Dead;
}

// True in the last 1/kPrefetchFraction of the original TTL (fresh entries only).
inline bool in_prefetch_window(Instant expiry, uint32_t original_ttl, Instant now) {
  return now < expiry && (expiry - now) * kPrefetchFraction <= Seconds(original_ttl);
}

}  // namespace tern::cache
