#include "resolver/engine/cache_access.h"

#include "cache/caches.h"
#include "wire/rdata.h"

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
  return CacheAccess::Hit{std::move(c->rrset), c->trust, c->stale, c->prefetch_due,
                          c->original_ttl};
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

void CacheAccess::store_parent_glue(const wire::RRset& rrset, Instant now) {
  caches_.parent_glue().insert(rrset, cache::Trust::Glue, now);
}

std::optional<wire::RRset> CacheAccess::parent_glue(const wire::Name& name, wire::RRType type,
                                                    wire::RRClass rclass, Instant now) {
  auto c = caches_.parent_glue().lookup(name, type, rclass, now);
  if (!c) return std::nullopt;
  return std::move(c->rrset);
}

std::optional<CacheAccess::Negative> CacheAccess::negative(const wire::Name& name,
                                                           wire::RRType type,
                                                           wire::RRClass rclass, Instant now) {
  auto n = caches_.negative().lookup(name, type, rclass, now);
  if (!n) return std::nullopt;
  Negative out;
  out.nxdomain = n->kind == cache::NegativeKind::NxDomain;
  if (n->has_soa) out.soa = std::move(n->soa);
  out.proof = std::move(n->proof);
  return out;
}

void CacheAccess::store_nxdomain(const wire::Name& name, wire::RRClass rclass,
                                 const wire::RRset& soa, Instant now,
                                 std::span<const wire::RRset> proof) {
  caches_.negative().insert_nxdomain(name, rclass, soa, cache::Trust::AuthorityAuth, now, proof);
}

void CacheAccess::store_nodata(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                               const wire::RRset& soa, Instant now,
                               std::span<const wire::RRset> proof) {
  caches_.negative().insert_nodata(name, type, rclass, soa, cache::Trust::AuthorityAuth, now,
                                   proof);
}

void CacheAccess::store_nodata_without_soa(const wire::Name& name, wire::RRType type,
                                           wire::RRClass rclass, Instant now) {
  caches_.negative().insert_nodata_without_soa(name, type, rclass, cache::Trust::AuthorityAuth,
                                               now);
}

std::optional<CacheAccess::CachedAnswer> CacheAccess::answer(const wire::Name& qname,
                                                             wire::RRType qtype,
                                                             wire::RRClass qclass, bool dnssec_ok,
                                                             bool cd, Instant now, bool stale) {
  cache::Question q{qname, qtype, qclass};
  cache::AnswerFlags flags{dnssec_ok, cd};
  auto hit =
      stale ? caches_.lookup_answer_stale(q, flags, now) : caches_.lookup_answer(q, flags, now);
  if (!hit) return std::nullopt;
  CachedAnswer out;
  out.rcode = hit->rcode;
  out.stale = hit->stale;
  out.prefetch_due = hit->prefetch_due;
  out.answer.reserve(hit->answer.size());
  for (auto& c : hit->answer) out.answer.push_back(std::move(c.rrset));
  if (hit->negative && hit->negative->has_soa)
    out.authority.push_back(std::move(hit->negative->soa));
  for (auto& c : hit->authority) out.authority.push_back(std::move(c.rrset));
  return out;
}

bool CacheAccess::store_answer(const wire::Name& qname, wire::RRType qtype, wire::RRClass qclass,
                               bool dnssec_ok, bool cd, wire::Rcode rcode,
                               const std::vector<wire::RRset>& answer,
                               const std::vector<wire::RRset>& authority, Instant now) {
  if (rcode != wire::Rcode::NoError && rcode != wire::Rcode::NXDomain) return false;
  cache::AnswerRefs refs;
  refs.answer.reserve(answer.size());
  // The last name of the chain: where a denial is cached.
  wire::Name last = qname;
  for (const auto& r : answer) {
    refs.answer.push_back(cache::RRsetKey{r.owner, r.type, r.rclass});
    if (r.type == wire::RRType::CNAME && r.owner == last && !r.empty())
      if (auto target = wire::rdata_target(wire::RRType::CNAME, *r.begin())) last = *target;
  }
  bool has_soa = !authority.empty() && authority.front().type == wire::RRType::SOA;
  // NODATA: a SOA and no RRset of the qtype at the end of the (possibly empty) chain.
  bool negative = rcode == wire::Rcode::NXDomain ||
                  (has_soa && (answer.empty() || answer.back().type != qtype));
  if (negative) {
    if (!has_soa) return false;  // a denial without its SOA is not kept in the negative cache
    refs.negative = cache::RRsetKey{last, qtype, qclass};
    for (size_t i = 1; i < authority.size(); ++i)
      refs.authority.push_back(cache::RRsetKey{authority[i].owner, authority[i].type,
                                               authority[i].rclass});
  } else if (!authority.empty()) {
    return false;  // positive answers carry no authority section here
  }
  return caches_.insert_answer(cache::Question{qname, qtype, qclass},
                               cache::AnswerFlags{dnssec_ok, cd}, rcode, refs, now);
}

cache::ServerInfo CacheAccess::server(const Address& a, MonoInstant now) {
  return caches_.servers().info(key_of(a), now);
}

void CacheAccess::record_rtt(const Address& a, std::chrono::milliseconds rtt, MonoInstant now) {
  caches_.servers().record_rtt(key_of(a), rtt, now);
}

void CacheAccess::record_timeout(const Address& a, uint32_t sent_exponent, MonoInstant now) {
  caches_.servers().record_timeout(key_of(a), sent_exponent, now);
}

bool CacheAccess::claim_probe(const Address& a, MonoInstant seen_last_timeout, MonoInstant now) {
  return caches_.servers().claim_probe(key_of(a), seen_last_timeout, now);
}

bool CacheAccess::edns_unsupported(const Address& a, MonoInstant now) {
  return caches_.servers().info(key_of(a), now).edns == cache::EdnsSupport::Unsupported;
}

void CacheAccess::set_edns_unsupported(const Address& a, MonoInstant now) {
  caches_.servers().record_edns(key_of(a), cache::EdnsSupport::Unsupported, now);
}

bool CacheAccess::lame(const Address& a, const wire::Name& zone, MonoInstant now) {
  return caches_.servers().is_lame(key_of(a), zone, now);
}

bool CacheAccess::lame_evidence(const Address& a, const wire::Name& zone, MonoInstant now,
                                std::chrono::seconds max_ttl) {
  return caches_.servers().record_lame(key_of(a), zone, now, max_ttl);
}

std::optional<FailureInfo> CacheAccess::recently_failed(const wire::Name& name, wire::RRType type,
                                                        wire::RRClass rclass, MonoInstant now) {
  auto standing = caches_.failures().why(name, type, rclass, now);
  if (!standing) return std::nullopt;
  FailureInfo info;
  // What the failure cache kept; an entry recorded without a reason says only that it failed.
  info.reason = standing->why.reason <= uint8_t(Failure::Internal) ? Failure(standing->why.reason)
                                                                   : Failure::RecentFailure;
  info.zone = standing->why.zone;
  if (standing->why.server) {
    const auto& k = *standing->why.server;
    info.server = k.v6 ? Address::v6_from(k.addr, k.port)
                       : Address::v4({k.addr[0], k.addr[1], k.addr[2], k.addr[3]}, k.port);
  }
  return info;
}

void CacheAccess::record_failure(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                                 MonoInstant now, std::chrono::seconds min_ttl,
                                 std::chrono::seconds max_ttl, const FailureInfo& info) {
  cache::FailureWhy why;
  why.reason = uint8_t(info.reason);
  why.zone = info.zone;
  if (info.server) why.server = key_of(*info.server);
  caches_.failures().record(name, type, rclass, now, min_ttl, max_ttl, why);
}

}  // namespace tern::engine
