// State Init: can the cache answer the task's question, or move it along a cached CNAME?
#include <algorithm>

#include "resolver/engine/iterator.h"
#include "wire/rdata.h"

namespace tern::engine {

CacheWalk walk_cache(CacheAccess& cache, const wire::Name& qname, wire::RRType qtype,
                     wire::RRClass qclass, Instant now, uint32_t max_chain, bool stale,
                     bool refresh) {
  CacheWalk w;
  w.name = qname;
  std::vector<wire::Name> seen{qname};
  auto lookup = [&](const wire::Name& n, wire::RRType t) {
    return stale ? cache.rrset_stale(n, t, qclass, now) : cache.rrset(n, t, qclass, now);
  };
  for (uint32_t hop = 0; hop <= max_chain; ++hop) {
    if (!refresh) {
      // RFC 2181 §5.4.1: glue and other low-trust data never answer a client.
      if (auto hit = lookup(w.name, qtype); hit && cache::answer_grade(hit->trust)) {
        w.outcome = CacheWalk::Outcome::Answer;
        w.prefetch_due = w.prefetch_due || hit->prefetch_due;
        w.stale = w.stale || hit->stale;
        w.answer.push_back(std::move(hit->rrset));
        return w;
      }
      if (auto neg = cache.negative(w.name, qtype, qclass, now)) {
        w.outcome = neg->nxdomain ? CacheWalk::Outcome::NxDomain : CacheWalk::Outcome::NoData;
        w.soa = std::move(neg->soa);
        w.proof = std::move(neg->proof);
        // The zone's NS set goes beside the SOA when an authoritative server gave it so.
        if (w.soa) {
          auto ns = lookup(w.soa->owner, wire::RRType::NS);
          if (ns && ns->trust >= cache::Trust::AuthorityAuth) w.zone_ns = std::move(ns->rrset);
        }
        return w;
      }
    }
    if (qtype == wire::RRType::CNAME) return w;
    auto cname = lookup(w.name, wire::RRType::CNAME);
    if (!cname || !cache::answer_grade(cname->trust) || cname->rrset.empty()) return w;
    if (qtype == wire::RRType::ANY) {
      // ANY at an alias is its CNAME, not followed (an alias has no other data, RFC 1034
      // §3.6.2), as an authoritative server answers it. A refresh asks upstream instead.
      if (refresh) return w;
      w.outcome = CacheWalk::Outcome::Answer;
      w.prefetch_due = w.prefetch_due || cname->prefetch_due;
      w.stale = w.stale || cname->stale;
      w.answer.push_back(std::move(cname->rrset));
      return w;
    }
    // A refresh asks for a CNAME about to expire at its own name: the response renews it.
    if (refresh && uint64_t(cname->rrset.ttl) * 10 <= cname->original_ttl) return w;
    auto target = wire::rdata_target(wire::RRType::CNAME, *cname->rrset.begin());
    if (!target) return w;
    w.stale = w.stale || cname->stale;
    w.prefetch_due = w.prefetch_due || cname->prefetch_due;
    w.chain.push_back(std::move(cname->rrset));
    w.name = *target;
    // A loop in the cache: stop here; the iterator's own chain check fails the question.
    if (std::find(seen.begin(), seen.end(), w.name) != seen.end()) return w;
    seen.push_back(w.name);
  }
  return w;
}

State Iterator::on_init(Task& t) {
  // A prefetch refreshes every name of the chain: Init is entered again only for a new name (the
  // next CNAME target), whose cached answer is as old as the one being refreshed.
  bool skip = t.skip_cache_answer;
  // Engine::resolve walked the cache for this very name a moment ago and found nothing: a second
  // walk would cost the same lookups again on every cache miss.
  bool walked = t.cache_walked;
  t.cache_walked = false;
  if (!walked) {
    auto w = walk_cache(cache, t.qname, t.qtype, t.qclass, now(), engine.config_.max_cname_chain,
                        /*stale=*/false, skip);
    if (!w.chain.empty()) {
      if (auto done = follow_chain(t, w.chain, w.name)) return *done;
    }
    switch (w.outcome) {
      case CacheWalk::Outcome::Answer:
        return finish_answer(t, TaskResult::Kind::Answer, std::move(w.answer), std::nullopt);
      case CacheWalk::Outcome::NxDomain:
      case CacheWalk::Outcome::NoData: {
        auto zone_ns = std::move(w.zone_ns);
        auto st = finish_answer(
            t, w.outcome == CacheWalk::Outcome::NxDomain ? TaskResult::Kind::NxDomain
                                                         : TaskResult::Kind::NoData,
            {}, std::move(w.soa));
        t.result.zone_ns = std::move(zone_ns);
        t.result.proof = std::move(w.proof);
        return st;
      }
      case CacheWalk::Outcome::Miss: break;
    }
  }
  // Ancestors: a cached DNAME redirects the whole subtree (RFC 6672 §3.4: synthesise the CNAME
  // ourselves); a cached NXDOMAIN means nothing below exists (RFC 8020; random-subdomain floods
  // under a dead name stop here).
  for (auto up = t.qname.parent(); !up.is_root(); up = up.parent()) {
    auto dname = cache.rrset(up, wire::RRType::DNAME, t.qclass, now());
    if (dname && cache::answer_grade(dname->trust)) {
      if (auto synth = synthesise_cname(dname->rrset, t.qname)) {
        if (auto target = wire::rdata_target(wire::RRType::CNAME, *synth->begin())) {
          if (auto done = follow_chain(t, {dname->rrset, *synth}, *target)) return *done;
          return State::Init;
        }
      }
    }
    if (auto neg = cache.negative(up, t.qtype, t.qclass, now()); neg && neg->nxdomain)
      return finish_answer(t, TaskResult::Kind::NxDomain, {}, std::move(neg->soa));
  }
  return State::FindDelegation;
}

}  // namespace tern::engine
