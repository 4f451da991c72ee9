#include "cache/answer_cache.h"

#include <algorithm>
#include <limits>
#include <mutex>

#include "cache/freshness.h"
#include "cache/name_key.h"
#include "cache/trust.h"
#include "wire/rr_type.h"

namespace tern::cache {
namespace {

struct KeyEq {
  std::span<const uint8_t> qname;
  wire::RRType qtype;
  wire::RRClass qclass;
  uint8_t flags;
  bool operator()(const AnswerEntry& e) const {
    return e.qtype == qtype && e.qclass == qclass && e.flags == flags &&
           wire_equal_ci(e.qname(), qname);
  }
};

// True when the question, a reference or the denial of `e` has a name for which name_hit holds
// (and, for the typed flush, type_hit holds for its type and class).
template <class NameHit, class TypeHit>
bool mentions(const AnswerEntry& e, NameHit&& name_hit, TypeHit&& type_hit) {
  if (name_hit(e.qname()) && type_hit(e.qtype, e.qclass, false)) return true;
  bool found = false;
  e.for_each_ref([&](const AnswerRef& r) {
    found = found || (name_hit(r.owner) && type_hit(r.type, r.rclass, false));
  });
  if (found) return true;
  auto neg = e.negative();
  return neg && name_hit(neg->name) &&
         type_hit(neg->type, neg->rclass, e.rcode == wire::Rcode::NXDomain);
}

}  // namespace

AnswerCache::AnswerCache(const CacheLimits& limits, size_t budget_bytes, RRsetCache& rrsets,
                         NegativeCache& negative)
    : limits_(limits), store_(limits.shards, budget_bytes), rrsets_(rrsets), negative_(negative) {}

bool AnswerCache::insert(const Question& q, AnswerFlags flags, wire::Rcode rcode,
                         const AnswerRefs& refs, Instant now) {
  bool nxdomain = rcode == wire::Rcode::NXDomain;
  if (rcode != wire::Rcode::NoError && !nxdomain) return false;
  if (nxdomain && !refs.negative) return false;
  if (refs.answer.empty() && !refs.negative) return false;
  size_t total = refs.answer.size() + refs.authority.size() + refs.additional.size();
  if (total > kMaxAnswerRefs) return false;

  // Record which copy of each part is cached now; the answer lives no longer than any of them.
  Instant expiry = Instant::max();
  std::vector<AnswerRefInput> inputs;
  inputs.reserve(total);
  auto add = [&](AnswerSection section, const std::vector<RRsetKey>& keys) {
    for (const auto& k : keys) {
      auto stamp = rrsets_.stamp(k.owner.wire(), k.type, k.rclass, now);
      if (!stamp) return false;
      // RFC 2181 §5.4.1: glue and additional data never answer a client.
      if (section == AnswerSection::Answer && !answer_grade(stamp->trust)) return false;
      expiry = std::min(expiry, stamp->expiry);
      inputs.push_back({section, k.owner.wire(), k.type, k.rclass, stamp->generation});
    }
    return true;
  };
  if (!add(AnswerSection::Answer, refs.answer) || !add(AnswerSection::Authority, refs.authority) ||
      !add(AnswerSection::Additional, refs.additional)) {
    return false;
  }
  std::optional<AnswerEntry::NegativeRef> negative;
  if (refs.negative) {
    const auto& n = *refs.negative;
    auto kind = nxdomain ? NegativeKind::NxDomain : NegativeKind::NoData;
    auto neg_expiry = negative_.fresh_expiry(kind, n.owner.wire(), n.type, n.rclass, now);
    if (!neg_expiry) return false;
    expiry = std::min(expiry, *neg_expiry);
    negative = AnswerEntry::NegativeRef{n.owner.wire(), n.type, n.rclass};
  }

  wire::Name qname = q.qname.lowercased();
  uint64_t hash = answer_key_hash(qname.wire(), q.qtype, q.qclass, flags.bits());
  auto* e = AnswerEntry::create(qname.wire(), q.qtype, q.qclass, flags.bits(), rcode, inputs,
                                negative, hash, expiry);
  auto dead = [&](const AnswerEntry& x) {
    return freshness(x.expiry, now, limits_) == Freshness::Dead;
  };
  auto& shard = store_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  if (AnswerEntry* old =
          shard.store.find(hash, KeyEq{qname.wire(), q.qtype, q.qclass, flags.bits()})) {
    shard.store.erase(old);
  }
  return shard.store.insert(e, dead);
}

std::optional<Answer> AnswerCache::find(const Question& q, AnswerFlags flags, Instant now,
                                        bool allow_stale) {
  auto qname = q.qname.wire();  // hash and comparison fold case: no need to lower-case here
  uint64_t hash = answer_key_hash(qname, q.qtype, q.qclass, flags.bits());
  auto& shard = store_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  AnswerEntry* e = shard.store.find(hash, KeyEq{qname, q.qtype, q.qclass, flags.bits()});
  if (e == nullptr) return std::nullopt;
  switch (freshness(e->expiry, now, limits_)) {
    case Freshness::Dead:
      shard.store.erase(e);
      return std::nullopt;
    case Freshness::Stale:
      if (!allow_stale) return std::nullopt;  // kept for lookup_stale
      break;
    case Freshness::Fresh:
      break;
  }

  Answer out;
  out.rcode = e->rcode;
  out.answer.reserve(e->counts[0]);
  out.authority.reserve(e->counts[1]);
  out.additional.reserve(e->counts[2]);
  uint32_t ttl = std::numeric_limits<uint32_t>::max();
  bool complete = true;
  // A part that fails after an earlier part claimed its prefetch loses that claim; the miss
  // sends the engine to the RRsets, which it then refreshes anyway.
  e->for_each_ref([&](const AnswerRef& r) {
    if (!complete) return;
    auto part = rrsets_.lookup_generation(r.owner, r.type, r.rclass, r.generation, now, allow_stale);
    if (!part) {
      complete = false;
      return;
    }
    ttl = std::min(ttl, part->rrset.ttl);
    out.stale = out.stale || part->stale;
    out.prefetch_due = out.prefetch_due || part->prefetch_due;
    auto& section = r.section == AnswerSection::Answer      ? out.answer
                    : r.section == AnswerSection::Authority ? out.authority
                                                            : out.additional;
    section.push_back(std::move(*part));
  });
  if (complete) {
    if (auto neg = e->negative()) {
      auto name = wire::Name::from_wire_unchecked(neg->name, wire_label_count(neg->name));
      auto denial = allow_stale ? negative_.lookup_stale(name, neg->type, neg->rclass, now)
                                : negative_.lookup(name, neg->type, neg->rclass, now);
      auto kind = e->rcode == wire::Rcode::NXDomain ? NegativeKind::NxDomain : NegativeKind::NoData;
      if (!denial || denial->kind != kind) {
        complete = false;
      } else {
        ttl = std::min(ttl, denial->ttl);
        out.stale = out.stale || denial->stale;
        out.prefetch_due = out.prefetch_due || denial->prefetch_due;
        out.negative = std::move(denial);
      }
    }
  }
  if (!complete) {
    shard.store.erase(e);
    return std::nullopt;
  }
  e->visited = true;
  out.ttl = ttl;
  return out;
}

std::optional<Answer> AnswerCache::lookup(const Question& q, AnswerFlags flags, Instant now) {
  return find(q, flags, now, false);
}

std::optional<Answer> AnswerCache::lookup_stale(const Question& q, AnswerFlags flags, Instant now) {
  return find(q, flags, now, limits_.serve_stale);
}

size_t AnswerCache::flush_name(const wire::Name& name) {
  auto w = name.wire();
  auto any_type = [](wire::RRType, wire::RRClass, bool) { return true; };
  return store_.erase_if([&](const AnswerEntry& e) {
    return mentions(e, [&](std::span<const uint8_t> n) { return wire_equal_ci(n, w); }, any_type);
  });
}

size_t AnswerCache::flush_name_type(const wire::Name& name, wire::RRType type,
                                    wire::RRClass rclass) {
  auto w = name.wire();
  // An NXDOMAIN denial covers every type, and NegativeCache::flush_name_type removes it too.
  auto this_type = [&](wire::RRType t, wire::RRClass c, bool any_type) {
    return c == rclass && (any_type || t == type);
  };
  return store_.erase_if([&](const AnswerEntry& e) {
    return mentions(e, [&](std::span<const uint8_t> n) { return wire_equal_ci(n, w); }, this_type);
  });
}

size_t AnswerCache::flush_subtree(const wire::Name& apex) {
  auto w = apex.wire();
  auto any_type = [](wire::RRType, wire::RRClass, bool) { return true; };
  return store_.erase_if([&](const AnswerEntry& e) {
    return mentions(e, [&](std::span<const uint8_t> n) { return wire_is_subdomain_ci(n, w); },
                    any_type);
  });
}

void AnswerCache::clear() { store_.clear(); }

void AnswerCache::dump(std::ostream& out, Instant now) const {
  auto text = [](std::span<const uint8_t> w) {
    return wire::Name::from_wire_unchecked(w, wire_label_count(w)).to_text();
  };
  store_.for_each([&](const AnswerEntry& e) {
    Freshness f = freshness(e.expiry, now, limits_);
    if (f == Freshness::Dead) return;
    out << "; answer " << text(e.qname()) << ' ' << wire::class_to_text(e.qclass) << ' '
        << wire::type_to_text(e.qtype) << ((e.flags & 1) != 0 ? " +do" : "")
        << ((e.flags & 2) != 0 ? " +cd" : "") << ' ' << wire::rcode_to_text(e.rcode);
    if (f == Freshness::Fresh) {
      out << " ttl=" << seconds_left(e.expiry, now);
    } else {
      out << " stale (expired " << seconds_since(e.expiry, now) << " s ago)";
    }
    static constexpr const char* kSection[] = {"answer", "authority", "additional"};
    e.for_each_ref([&](const AnswerRef& r) {
      out << ' ' << kSection[size_t(r.section)] << '=' << text(r.owner) << '/'
          << wire::type_to_text(r.type);
    });
    if (auto neg = e.negative()) {
      out << " denial=" << text(neg->name) << '/' << wire::type_to_text(neg->type);
    }
    out << '\n';
  });
}

}  // namespace tern::cache
