// What the caches hold for one name and the delegation a resolution of it would start from:
// `ternd control lookup NAME [TYPE]` (Unbound's `lookup`). Read-only in effect (a lookup may mark
// an entry recently used, as a query would); nothing is sent and nothing is stored.
#pragma once

#include <optional>
#include <string>

#include "resolver/engine/engine_config.h"
#include "resolver/engine/world.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::cache {
class Caches;
}

namespace tern::engine {

// Text, one fact per line: RRsets (TTL left, trust, stale), negative entries, the failure cache's
// entry, then the closest cached zone cut with its name servers, their addresses and each
// address's state (smoothed RTT, timeouts, down or probe due, lame for the zone, EDNS). `type`
// nullopt: the common types (A, AAAA, CNAME, DNAME, NS, SOA, MX, TXT, PTR, SRV, DS, HTTPS).
std::string cache_report(cache::Caches& caches, const EngineConfig& cfg, const wire::Name& name,
                         std::optional<wire::RRType> type, Instant now, MonoInstant mono);

}  // namespace tern::engine
