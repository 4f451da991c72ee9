#include "resolver/engine/cache_access.h"

#include "cache/caches.h"

namespace tern::engine {

namespace {

cache::ServerKey key_of(const Address& a) {
  cache::ServerKey k;
  k.addr = a.bytes;
  k.port = a.port;
  k.v6 = a.v6;
  return k;
}

std::optional<CacheAccess::Hit> to_hit(std::optional<cache::CachedRRset> c) {
  if (!c) return std::nullopt;
  return CacheAccess::Hit{std::move(c->rrset), c->trust, c->stale, c->prefetch_due};
}

}  // namespace

std::optional<CacheAccess::Hit> CacheAccess::rrset(const wire::Name& name, wire::RRType type,
                                                   wire::RRClass rclass, Instant now) {
  return to_hit(caches_.rrsets().lookup(name, type, rclass, now));
}

std::optional<CacheAccess::Hit> CacheAccess::rrset_stale(const wire::Name& name, wire::RRType type,
                                                         wire::RRClass rclass, Instant now) {
  return to_hit(caches_.rrsets().lookup_stale(name, type, rclass, now));
}

void CacheAccess::store(const wire::RRset& rrset, cache::Trust trust, Instant now) {
  caches_.store_rrset(rrset, trust, now);
}

std::optional<CacheAccess::Negative> CacheAccess::negative(const wire::Name& name,
                                                           wire::RRType type,
                                                           wire::RRClass rclass, Instant now) {
  auto n = caches_.negative().lookup(name, type, rclass, now);
  if (!n) return std::nullopt;
  Negative out;
  out.nxdomain = n->kind == cache::NegativeKind::NxDomain;
  out.soa = std::move(n->soa);
  return out;
}

void CacheAccess::store_nxdomain(const wire::Name& name, wire::RRClass rclass,
                                 const wire::RRset& soa, Instant now) {
  caches_.negative().insert_nxdomain(name, rclass, soa, cache::Trust::AuthorityAuth, now);
}

void CacheAccess::store_nodata(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                               const wire::RRset& soa, Instant now) {
  caches_.negative().insert_nodata(name, type, rclass, soa, cache::Trust::AuthorityAuth, now);
}

cache::ServerInfo CacheAccess::server(const Address& a, Instant now) {
  return caches_.servers().info(key_of(a), now);
}

void CacheAccess::record_rtt(const Address& a, std::chrono::milliseconds rtt, Instant now) {
  caches_.servers().record_rtt(key_of(a), rtt, now);
}

void CacheAccess::record_timeout(const Address& a, Instant now) {
  caches_.servers().record_timeout(key_of(a), now);
}

bool CacheAccess::edns_unsupported(const Address& a, Instant now) {
  return caches_.servers().info(key_of(a), now).edns == cache::EdnsSupport::Unsupported;
}

void CacheAccess::set_edns_unsupported(const Address& a, Instant now) {
  caches_.servers().record_edns(key_of(a), cache::EdnsSupport::Unsupported, now);
}

bool CacheAccess::lame(const Address& a, const wire::Name& zone, Instant now) {
  return caches_.servers().is_lame(key_of(a), zone, now);
}

void CacheAccess::set_lame(const Address& a, const wire::Name& zone, Instant now) {
  caches_.servers().mark_lame(key_of(a), zone, now);
}

}  // namespace tern::engine
