// NegativeCache (RFC 2308): NXDOMAIN per (name, class), NODATA per (name, type, class). The TTL
// is min(SOA TTL, SOA MINIMUM) (§5), clamped to max_negative_ttl, and the SOA is kept for the
// authority section of the cached answer, its TTL counting down with the entry. A negative answer
// without an SOA is not cached (§5), except an authoritative NODATA, kept kNoSoaNegativeTtl (see
// there) so a repeat of the question does not go upstream again at once. Replacement by trust as in RRsetCache. Sharded, bounded in
// bytes, SIEVE eviction; its own share of the budget so a flood of random names that do not exist
// cannot push positive data out.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>

#include "cache/cache_limits.h"
#include "cache/negative_entry.h"
#include "cache/sharded.h"
#include "cache/time.h"
#include "cache/trust.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::cache {

// RFC 2308 §5: without an SOA there is no negative TTL and the answer "SHOULD NOT be cached".
// Unbound (NORR_TTL) and Knot still keep an authoritative NODATA without SOA a few seconds: the
// server said plainly that the type is not there, and a burst of the same question (a stub
// retrying, many clients) would otherwise all go upstream. 5 s keeps §5's intent (the denial
// goes stale long before any zone change could matter) while absorbing the burst. The cache's
// min_ttl, an operator's explicit floor for everything, still raises it.
inline constexpr uint32_t kNoSoaNegativeTtl = 5;

struct CachedNegative {
  NegativeKind kind = NegativeKind::NoData;
  bool has_soa = true;        // false: a NODATA cached without SOA (soa is then empty)
  wire::RRset soa;            // soa.ttl = remaining negative TTL (kStaleTtl when stale)
  uint32_t ttl = 0;           // same as soa.ttl
  Trust trust = Trust::Additional;
  bool stale = false;
  bool prefetch_due = false;
  std::vector<wire::RRset> proof;  // NSEC/NSEC3 of the denial, TTL = ttl
};

class NegativeCache {
 public:
  NegativeCache(const CacheLimits& limits, size_t budget_bytes);

  // min(SOA TTL, SOA MINIMUM) of the first SOA record; nullopt when `soa` is not a usable SOA set.
  static std::optional<uint32_t> negative_ttl(const wire::RRset& soa);

  // Return false when not stored because better data is cached, the SOA is missing or malformed,
  // or the entry does not fit. A TTL of 0 is not stored (returns true: accepted, used once).
  // `proof`: the NSEC/NSEC3 RRsets of the denial (with RRSIGs), kept for DO clients.
  bool insert_nxdomain(const wire::Name& qname, wire::RRClass qclass, const wire::RRset& soa,
                       Trust trust, Instant now, std::span<const wire::RRset> proof = {});
  bool insert_nodata(const wire::Name& qname, wire::RRType qtype, wire::RRClass qclass,
                     const wire::RRset& soa, Trust trust, Instant now,
                     std::span<const wire::RRset> proof = {});
  // An authoritative NODATA without SOA: kept for kNoSoaNegativeTtl (clamped like any negative
  // TTL). Replacement rules as for insert_nodata.
  bool insert_nodata_without_soa(const wire::Name& qname, wire::RRType qtype, wire::RRClass qclass,
                                 Trust trust, Instant now);

  // NXDOMAIN for the name (any type) wins over NODATA for (name, type).
  std::optional<CachedNegative> lookup(const wire::Name& qname, wire::RRType qtype,
                                       wire::RRClass qclass, Instant now);
  std::optional<CachedNegative> lookup_stale(const wire::Name& qname, wire::RRType qtype,
                                             wire::RRClass qclass, Instant now);

  // RFC 8020: an NXDOMAIN cached for an ancestor of qname (closest first, root excluded) means
  // qname does not exist either. Fresh entries only; nullopt when no ancestor is cached as NXDOMAIN.
  std::optional<CachedNegative> lookup_nxdomain_cut(const wire::Name& qname, wire::RRClass qclass,
                                                    Instant now);

  // The expiry of the fresh entry of this kind for this key, or nullopt. No side effects: the
  // answer cache records it when it stores an answer that ends in this denial.
  std::optional<Instant> fresh_expiry(NegativeKind kind, std::span<const uint8_t> name,
                                      wire::RRType qtype, wire::RRClass qclass, Instant now) const;

  // Positive data for (owner, type) of this trust has arrived. It proves that owner has data of
  // this type (so a NODATA for (owner, type) is wrong) and that owner exists, so no name at or
  // above it can be NXDOMAIN (RFC 8020: NXDOMAIN means nothing exists at or below the name).
  // Removes those entries unless they are more credible than `trust` (glue cannot override an
  // authoritative denial). NODATA for other types at owner, or NODATA at an ancestor (an empty
  // non-terminal), is not contradicted and stays. Returns the number removed.
  size_t remove_superseded(const wire::Name& owner, wire::RRType type, wire::RRClass rclass,
                           Trust trust);

  size_t flush_name(const wire::Name& qname);
  // NODATA for this type and the name's NXDOMAIN (which covers every type).
  size_t flush_name_type(const wire::Name& qname, wire::RRType qtype,
                         wire::RRClass qclass = wire::RRClass::IN);
  size_t flush_subtree(const wire::Name& apex);
  void clear();

  // Entries as comment lines (negative data has no zone-file form) followed by the SOA record.
  void dump(std::ostream& out, Instant now) const;

  // Every entry still fresh at `now`, for cache-save (cache/cache_file.h). Each shard's lock is
  // held while its entries are visited: `f` must not call back into this cache.
  void for_each_fresh(Instant now, const std::function<void(const NegativeEntry&)>& f) const;
  size_t memory_bytes() const { return store_.bytes(); }
  size_t size() const { return store_.count(); }
  uint64_t evictions() const { return store_.evictions(); }

 private:
  // `soa` null: no SOA, `raw_ttl` is the TTL; otherwise the TTL comes from the SOA.
  bool insert(NegativeKind kind, const wire::Name& qname, wire::RRType qtype, wire::RRClass qclass,
              const wire::RRset* soa, uint32_t raw_ttl, Trust trust, Instant now,
              std::span<const wire::RRset> proof = {});
  bool erase_if_trust_at_most(NegativeKind kind, std::span<const uint8_t> name, wire::RRType qtype,
                              wire::RRClass qclass, Trust trust);
  std::optional<CachedNegative> find(NegativeKind kind, const wire::Name& qname, wire::RRType qtype,
                                     wire::RRClass qclass, Instant now, bool allow_stale);

  CacheLimits limits_;
  Sharded<NegativeEntry> store_;
  // The lowest trust any entry was ever stored with: remove_superseded skips its probes for data
  // below it (referral NS sets and glue, when denials are all stored as AuthorityAuth).
  std::atomic<uint8_t> lowest_trust_{uint8_t(Trust::Zone) + 1};
};

}  // namespace tern::cache
