// CacheAccess: the engine's narrow view of the shared caches (cache/caches.h). Every cache call the
// engine makes goes through here, so the rules of what is stored with which trust stay in one file
// and the rest of the engine does not depend on the cache's exact signatures.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "cache/server_state_cache.h"
#include "cache/trust.h"
#include "resolver/engine/failure.h"
#include "resolver/engine/world.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::cache {
class Caches;
}

namespace tern::engine {

class CacheAccess {
 public:
  explicit CacheAccess(cache::Caches& caches) : caches_(caches) {}

  struct Hit {
    wire::RRset rrset;  // TTL = seconds left
    cache::Trust trust = cache::Trust::Additional;
    bool stale = false;
    bool prefetch_due = false;
    uint32_t original_ttl = 0;  // TTL as stored: with rrset.ttl, how near expiry the copy is
  };
  std::optional<Hit> rrset(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                           Instant now);
  // Expired data still inside the serve-stale window (RFC 8767).
  std::optional<Hit> rrset_stale(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                                 Instant now);
  void store(const wire::RRset& rrset, cache::Trust trust, Instant now);

  // Parent-side glue (cache::Caches::parent_glue): a referral's addresses of its name servers,
  // kept apart from the child's own data. Only a last-resort server address, never an answer.
  void store_parent_glue(const wire::RRset& rrset, Instant now);
  std::optional<wire::RRset> parent_glue(const wire::Name& name, wire::RRType type,
                                         wire::RRClass rclass, Instant now);

  struct Negative {
    bool nxdomain = false;           // false: NODATA for the type asked
    std::optional<wire::RRset> soa;  // TTL = seconds left; none for a NODATA cached without SOA
    std::vector<wire::RRset> proof;  // the denial's NSEC/NSEC3 (DNSSEC), when it had them
  };
  std::optional<Negative> negative(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                                   Instant now);
  void store_nxdomain(const wire::Name& name, wire::RRClass rclass, const wire::RRset& soa,
                      Instant now, std::span<const wire::RRset> proof = {});
  void store_nodata(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                    const wire::RRset& soa, Instant now, std::span<const wire::RRset> proof = {});
  // An authoritative NODATA that came without SOA: kept briefly (cache::kNoSoaNegativeTtl).
  void store_nodata_without_soa(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                                Instant now);

  // The answer cache (Unbound's message cache): the client's question (with its DO and CD bits)
  // -> references to the cached RRsets and denial the answer was built from. `stale` = RFC 8767
  // lookup. A miss (or a referenced RRset gone or replaced) leaves the caller to the RRset walk.
  struct CachedAnswer {
    wire::Rcode rcode = wire::Rcode::NoError;
    std::vector<wire::RRset> answer;     // the CNAME chain, then the final RRset
    std::vector<wire::RRset> authority;  // negative: the SOA, then the zone's NS set if stored
    bool stale = false;
    bool prefetch_due = false;
  };
  std::optional<CachedAnswer> answer(const wire::Name& qname, wire::RRType qtype,
                                     wire::RRClass qclass, bool dnssec_ok, bool cd, Instant now,
                                     bool stale);
  // Stores a finished client answer (NOERROR with data, NXDOMAIN, NODATA) as references; false
  // when the cache refuses it (a part not cached or not fresh, e.g. a synthesised CNAME).
  bool store_answer(const wire::Name& qname, wire::RRType qtype, wire::RRClass qclass,
                    bool dnssec_ok, bool cd, wire::Rcode rcode,
                    const std::vector<wire::RRset>& answer,
                    const std::vector<wire::RRset>& authority, Instant now);

  // Server state (per address): smoothed RTT for selection, timeout with backoff.
  cache::ServerInfo server(const Address& a, MonoInstant now);
  void record_rtt(const Address& a, std::chrono::milliseconds rtt, MonoInstant now);
  bool edns_unsupported(const Address& a, MonoInstant now);
  void set_edns_unsupported(const Address& a, MonoInstant now);
  void record_timeout(const Address& a, uint32_t sent_exponent, MonoInstant now);
  bool claim_probe(const Address& a, MonoInstant seen_last_timeout, MonoInstant now);
  bool lame(const Address& a, const wire::Name& zone, MonoInstant now);
  // One piece of lameness evidence; true when it marks the server lame for the zone.
  bool lame_evidence(const Address& a, const wire::Name& zone, MonoInstant now,
                     std::chrono::seconds max_ttl);

  // RFC 9520 failure cache (cache::FailureCache).
  // While a failure of the question stands: why it failed (the reason, zone and server kept).
  std::optional<FailureInfo> recently_failed(const wire::Name& name, wire::RRType type,
                                             wire::RRClass rclass, MonoInstant now);
  void record_failure(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                      MonoInstant now, std::chrono::seconds min_ttl, std::chrono::seconds max_ttl,
                      const FailureInfo& info);

 private:
  cache::Caches& caches_;
};

}  // namespace tern::engine
