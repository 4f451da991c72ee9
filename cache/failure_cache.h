// FailureCache: questions whose resolution failed recently (RFC 9520 §3.2), so that asking again
// answers SERVFAIL (or stale data) at once instead of sending the same doomed queries. Keyed by
// (lower-cased name, type, class); each entry holds until when the failure stands and how long it
// stood last time: a failure again soon after the last one expired stands twice as long, up to the
// caller's maximum (RFC 9520: at least 1 s, exponential backoff, at most 5 minutes).
//
// Not a negative-cache entry type: a failure is not DNS data, has no SOA or TTL from a server, is
// never shown to a client as such, and ages on the monotonic clock (an NTP step must not revive
// or extend it). Shared by the worker threads (sharded), bounded in bytes, SIEVE eviction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "cache/server_state_cache.h"
#include "cache/sharded.h"
#include "cache/time.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::cache {

// Why a question failed, as the engine said when it recorded it, so that an answer from this
// cache still explains itself (Extended DNS Error, log-servfail): the engine's Failure value
// (opaque here), the zone whose servers were asked and the last server asked.
struct FailureWhy {
  uint8_t reason = 0;
  wire::Name zone;
  std::optional<ServerKey> server;
};

struct FailureEntry : SieveNode {
  MonoInstant until;      // the failure stands while now < until
  MonoInstant forget_at;  // after this a new failure starts again at the minimum
  uint32_t ttl_s = 0;     // how long it stood last time
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint8_t name_size = 0;
  uint8_t reason = 0;       // FailureWhy
  uint8_t zone_size = 0;    // FailureWhy::zone, stored after the name
  bool has_server = false;
  ServerKey server;
  std::span<const uint8_t> name() const {
    return {reinterpret_cast<const uint8_t*>(this + 1), name_size};
  }
  std::span<const uint8_t> zone() const {
    return {reinterpret_cast<const uint8_t*>(this + 1) + name_size, zone_size};
  }
  static FailureEntry* create(const wire::Name& lower, wire::RRType type, wire::RRClass rclass,
                              uint64_t hash, const FailureWhy& why = {});
  static void destroy(FailureEntry* e);
};

class FailureCache {
 public:
  explicit FailureCache(size_t budget_bytes, size_t shards = 4);

  // Records a failed resolution of (name, type, class); returns how long it stands: min_ttl, or
  // twice the last time when the previous failure ended less than its own length ago.
  // `why` replaces what an earlier failure of the question said.
  Seconds record(const wire::Name& name, wire::RRType type, wire::RRClass rclass, MonoInstant now,
                 Seconds min_ttl, Seconds max_ttl, const FailureWhy& why = {});
  bool failing(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
               MonoInstant now) const {
    return why(name, type, rclass, now).has_value();
  }
  // While the failure stands: why it failed, and how long it still stands.
  struct Standing {
    FailureWhy why;
    Seconds left{0};
  };
  std::optional<Standing> why(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                              MonoInstant now) const;

  void clear() { failures_.clear(); }
  size_t memory_bytes() const { return failures_.bytes(); }
  size_t size() const { return failures_.count(); }

 private:
  Sharded<FailureEntry> failures_;
};

}  // namespace tern::cache
