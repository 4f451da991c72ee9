// Operator-set bounds of the caches: TTL clamps, serve-stale, and the byte budget with how it is
// split between the caches.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace tern::cache {

struct CacheLimits {
  uint32_t max_ttl = 86400;          // positive data: at most one day
  uint32_t min_ttl = 0;              // 0: a TTL-0 record is never stored
  uint32_t max_negative_ttl = 3600;  // RFC 2308 §5 suggests 1-3 hours; we take 1 hour
  bool serve_stale = true;           // RFC 8767
  uint32_t stale_window = 86400;     // how long expired data is kept for serve-stale
  size_t bytes = size_t(64) << 20;   // --cache-size, all caches together
  size_t shards = 16;                // lock shards of each shared cache (rounded to a power of 2)
};

// RFC 8767 §4: stale answers carry TTL 30.
constexpr uint32_t kStaleTtl = 30;

// Prefetch when an entry is asked for in the last 1/kPrefetchFraction of its original TTL.
constexpr uint32_t kPrefetchFraction = 10;

// How the one budget is shared, in percent. The negative cache has its own share so a flood of
// random NXDOMAIN names cannot push out positive data. The answer cache holds references only
// (about as many bytes per entry as an RRset entry) and needs one entry per distinct question
// where the RRset cache needs one per RRset (NS sets, glue, chain links too): Unbound's default
// is half as much message cache as RRset cache; here it is 15 against 40. The packet caches'
// share is divided between the worker threads.
constexpr size_t kRRsetSharePercent = 40;
constexpr size_t kAnswerSharePercent = 15;
constexpr size_t kNegativeSharePercent = 10;
constexpr size_t kServerSharePercent = 5;
constexpr size_t kPacketSharePercent = 30;
static_assert(kRRsetSharePercent + kAnswerSharePercent + kNegativeSharePercent +
                  kServerSharePercent + kPacketSharePercent ==
              100);

constexpr size_t share_of(size_t bytes, size_t percent) { return bytes / 100 * percent; }

// TTL of positive data as stored: clamped to [min_ttl, max_ttl].
constexpr uint32_t clamp_ttl(uint32_t ttl, const CacheLimits& l) {
  return std::clamp(ttl, l.min_ttl, std::max(l.min_ttl, l.max_ttl));
}

// TTL of negative data as stored (RFC 2308 §5): already min(SOA TTL, MINIMUM), then clamped.
constexpr uint32_t clamp_negative_ttl(uint32_t ttl, const CacheLimits& l) {
  return std::clamp(ttl, l.min_ttl, std::max(l.min_ttl, l.max_negative_ttl));
}

}  // namespace tern::cache
