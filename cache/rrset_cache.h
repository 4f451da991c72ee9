// RRsetCache: (owner, type, class) -> RRset with its RFC 2181 credibility and absolute expiry.
// Shared by the worker threads: sharded, one mutex and one SIEVE store per shard, bounded in bytes.
//
// Replacement (RFC 2181 §5.4.1): data of higher trust replaces data of lower trust; data of lower
// trust is ignored while the cached data is unexpired (so glue and additional data never override
// an authoritative answer); data of equal trust replaces the cached set (it is the newer copy of
// the same credibility: same data refreshes the TTL, changed data takes over). Expired (stale)
// data is replaced by anything. The rank stored is the rank of the copy stored: re-seeing
// additional data keeps it Additional. An NS set replacing a live one keeps the old expiry when
// that is sooner (ghost-domain defence: a delegation cannot be kept alive by its own servers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>

#include "cache/cache_limits.h"
#include "cache/rrset_entry.h"
#include "cache/sharded.h"
#include "cache/time.h"
#include "cache/trust.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::cache {

struct CachedRRset {
  wire::RRset rrset;          // rrset.ttl = remaining TTL (kStaleTtl when stale)
  Trust trust = Trust::Additional;
  uint32_t original_ttl = 0;  // TTL as stored, after clamping
  bool stale = false;         // served from expired data (lookup_stale only)
  bool prefetch_due = false;  // first hit in the last 10% of the TTL: refresh it in the background
};

// Which stored copy of an RRset is cached now: what the answer cache records for each RRset an
// answer refers to.
struct RRsetStamp {
  Generation generation = 0;
  Instant expiry;
  Trust trust = Trust::Additional;
};

class RRsetCache {
 public:
  RRsetCache(const CacheLimits& limits, size_t budget_bytes);

  // Stores a copy. Returns false when the cached set was kept (it is unexpired and of higher
  // trust) or the set is empty or larger than a shard. A TTL of 0 (after clamping) is not stored
  // (the fetching query uses it, nobody else) but still removes older data it outranks.
  bool insert(const wire::RRset& rrset, Trust trust, Instant now);

  // Fresh data only. Sets prefetch_due once per stored copy (a flood of hits asks for one refresh).
  std::optional<CachedRRset> lookup(const wire::Name& owner, wire::RRType type,
                                    wire::RRClass rclass, Instant now);
  // Fresh data as lookup() does, else expired data inside the stale window with TTL kStaleTtl and
  // stale = true (RFC 8767), for when every upstream failed. Same as lookup() when serve-stale is off.
  std::optional<CachedRRset> lookup_stale(const wire::Name& owner, wire::RRType type,
                                          wire::RRClass rclass, Instant now);

  // The stamp of the fresh copy cached for this key, or nullopt. No side effects (no visited bit,
  // no prefetch claim). `owner_wire` is an uncompressed wire name.
  std::optional<RRsetStamp> stamp(std::span<const uint8_t> owner_wire, wire::RRType type,
                                   wire::RRClass rclass, Instant now) const;
  // As lookup() / lookup_stale() (allow_stale), but only the copy with this generation: a copy
  // stored later is a miss, and a miss has no side effects on it.
  std::optional<CachedRRset> lookup_generation(std::span<const uint8_t> owner_wire,
                                               wire::RRType type, wire::RRClass rclass,
                                               Generation generation, Instant now, bool allow_stale);

  // Operator flushes; each returns the number of RRsets removed.
  size_t flush_name(const wire::Name& owner);  // every type and class at this name
  size_t flush_name_type(const wire::Name& owner, wire::RRType type,
                         wire::RRClass rclass = wire::RRClass::IN);
  size_t flush_subtree(const wire::Name& apex);  // the name and everything below it
  void clear();

  // Zone-file text, one RRset after a comment line with its trust and state. Remaining TTLs.
  void dump(std::ostream& out, Instant now) const;

  // Every entry still fresh at `now`, for cache-save (cache/cache_file.h). Each shard's lock is
  // held while its entries are visited: `f` must not call back into this cache.
  void for_each_fresh(Instant now, const std::function<void(const RRsetEntry&)>& f) const;
  size_t memory_bytes() const { return store_.bytes(); }
  size_t size() const { return store_.count(); }
  uint64_t evictions() const { return store_.evictions(); }
  const CacheLimits& limits() const { return limits_; }

 private:
  std::optional<CachedRRset> find(std::span<const uint8_t> owner_wire, wire::RRType type,
                                  wire::RRClass rclass, Instant now, bool allow_stale,
                                  std::optional<Generation> generation);

  CacheLimits limits_;
  Sharded<RRsetEntry> store_;
};

}  // namespace tern::cache
