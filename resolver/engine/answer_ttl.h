// The operator's TTL limits ([cache] min-ttl, max-ttl, max-negative-ttl) on the answer a client
// is sent. The caches apply them when they store, so an answer read from a cache already obeys
// them; a fresh answer goes to the client straight from the upstream response and is clamped
// here, the same way, so the first answer and every later one (and the front end's packet cache,
// which keeps the first answer's bytes) agree.
#pragma once

#include <vector>

#include "cache/cache_limits.h"
#include "wire/rrset.h"

namespace tern::engine {

// Positive data to [min_ttl, max_ttl]; a SOA in the authority section (a denial's) to its
// negative TTL, min(TTL, MINIMUM) (RFC 2308 §5), clamped to [min_ttl, max_negative_ttl].
void clamp_fresh_ttls(std::vector<wire::RRset>& answer, std::vector<wire::RRset>& authority,
                      std::vector<wire::RRset>& additional, const cache::CacheLimits& limits);

// A stale answer keeps its RFC 8767 TTL, but never above max_ttl.
void cap_stale_ttls(std::vector<wire::RRset>& answer, std::vector<wire::RRset>& authority,
                    std::vector<wire::RRset>& additional, const cache::CacheLimits& limits);

}  // namespace tern::engine
