#include "cache/negative_cache.h"

#include "cache/rrset_blob.h"

#include <algorithm>
#include <mutex>

#include "cache/freshness.h"
#include "cache/name_key.h"
#include "wire/rdata.h"
#include "wire/text.h"

namespace tern::cache {
namespace {

struct KeyEq {
  NegativeKind kind;
  std::span<const uint8_t> name;
  wire::RRType qtype;
  wire::RRClass qclass;
  bool operator()(const NegativeEntry& e) const {
    return e.kind == kind && e.qclass == qclass &&
           (kind == NegativeKind::NxDomain || e.qtype == qtype) && wire_equal_ci(e.name(), name);
  }
};

}  // namespace

NegativeCache::NegativeCache(const CacheLimits& limits, size_t budget_bytes)
    : limits_(limits), store_(limits.shards, budget_bytes) {}

std::optional<uint32_t> NegativeCache::negative_ttl(const wire::RRset& soa) {
  if (soa.type != wire::RRType::SOA || soa.empty()) return std::nullopt;
  auto data = wire::parse_soa(*soa.begin());
  if (!data) return std::nullopt;
  return std::min(soa.ttl, data->minimum);
}

bool NegativeCache::insert_nxdomain(const wire::Name& qname, wire::RRClass qclass,
                                    const wire::RRset& soa, Trust trust, Instant now,
                                    std::span<const wire::RRset> proof) {
  auto raw_ttl = negative_ttl(soa);
  if (!raw_ttl) return false;
  return insert(NegativeKind::NxDomain, qname, wire::RRType{0}, qclass, &soa, *raw_ttl, trust, now,
                proof);
}

bool NegativeCache::insert_nodata(const wire::Name& qname, wire::RRType qtype,
                                  wire::RRClass qclass, const wire::RRset& soa, Trust trust,
                                  Instant now, std::span<const wire::RRset> proof) {
  auto raw_ttl = negative_ttl(soa);
  if (!raw_ttl) return false;
  return insert(NegativeKind::NoData, qname, qtype, qclass, &soa, *raw_ttl, trust, now, proof);
}

bool NegativeCache::insert_nodata_without_soa(const wire::Name& qname, wire::RRType qtype,
                                              wire::RRClass qclass, Trust trust, Instant now) {
  return insert(NegativeKind::NoData, qname, qtype, qclass, nullptr, kNoSoaNegativeTtl, trust,
                now);
}

bool NegativeCache::insert(NegativeKind kind, const wire::Name& qname, wire::RRType qtype,
                           wire::RRClass qclass, const wire::RRset* soa, uint32_t raw_ttl,
                           Trust trust, Instant now, std::span<const wire::RRset> proof) {
  uint32_t ttl = clamp_negative_ttl(raw_ttl, limits_);
  auto name = qname.wire();
  uint64_t hash = negative_key_hash(name, kind, qtype, qclass);
  auto& shard = store_.shard_for(hash);
  auto dead = [&](const NegativeEntry& e) {
    return freshness(e.expiry, now, limits_) == Freshness::Dead;
  };

  std::lock_guard lock(shard.mu);
  if (NegativeEntry* old = shard.store.find(hash, KeyEq{kind, name, qtype, qclass})) {
    if (now < old->expiry && trust < old->trust) return false;
    shard.store.erase(old);
  }
  if (ttl == 0) return true;
  for (uint8_t low = lowest_trust_.load(std::memory_order_relaxed); uint8_t(trust) < low;) {
    if (lowest_trust_.compare_exchange_weak(low, uint8_t(trust), std::memory_order_relaxed)) break;
  }
  std::span<const uint8_t> soa_rdata = soa ? *soa->begin() : std::span<const uint8_t>{};
  return shard.store.insert(NegativeEntry::create(kind, qname, qtype, qclass, soa, soa_rdata, hash,
                                                  trust, expiry_after(now, ttl), ttl, proof),
                            dead);
}

std::optional<CachedNegative> NegativeCache::find(NegativeKind kind, const wire::Name& qname,
                                                  wire::RRType qtype, wire::RRClass qclass,
                                                  Instant now, bool allow_stale) {
  auto name = qname.wire();
  uint64_t hash = negative_key_hash(name, kind, qtype, qclass);
  auto& shard = store_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  NegativeEntry* e = shard.store.find(hash, KeyEq{kind, name, qtype, qclass});
  if (e == nullptr) return std::nullopt;
  CachedNegative out;
  out.kind = e->kind;
  out.trust = e->trust;
  switch (freshness(e->expiry, now, limits_)) {
    case Freshness::Dead:
      shard.store.erase(e);
      return std::nullopt;
    case Freshness::Stale:
      if (!allow_stale) return std::nullopt;
      out.ttl = kStaleTtl;
      out.stale = true;
      break;
    case Freshness::Fresh:
      out.ttl = seconds_left(e->expiry, now);
      if (!e->prefetch_claimed && in_prefetch_window(e->expiry, e->original_ttl, now)) {
        e->prefetch_claimed = true;
        out.prefetch_due = true;
      }
      break;
  }
  e->visited = true;
  out.has_soa = e->has_soa();
  if (out.has_soa) out.soa = e->soa_rrset(out.ttl);
  if (auto blob = e->proof_blob(); !blob.empty()) out.proof = read_rrsets(blob, out.ttl);
  return out;
}

std::optional<CachedNegative> NegativeCache::lookup(const wire::Name& qname, wire::RRType qtype,
                                                    wire::RRClass qclass, Instant now) {
  if (auto nx = find(NegativeKind::NxDomain, qname, qtype, qclass, now, false)) return nx;
  return find(NegativeKind::NoData, qname, qtype, qclass, now, false);
}

std::optional<CachedNegative> NegativeCache::lookup_stale(const wire::Name& qname,
                                                          wire::RRType qtype, wire::RRClass qclass,
                                                          Instant now) {
  bool stale_ok = limits_.serve_stale;
  if (auto nx = find(NegativeKind::NxDomain, qname, qtype, qclass, now, stale_ok)) return nx;
  return find(NegativeKind::NoData, qname, qtype, qclass, now, stale_ok);
}

std::optional<CachedNegative> NegativeCache::lookup_nxdomain_cut(const wire::Name& qname,
                                                                 wire::RRClass qclass, Instant now) {
  for (size_t labels = qname.label_count(); labels-- > 1;) {
    if (auto nx = find(NegativeKind::NxDomain, qname.suffix(labels), wire::RRType{0}, qclass, now,
                       false)) {
      return nx;
    }
  }
  return std::nullopt;
}

std::optional<Instant> NegativeCache::fresh_expiry(NegativeKind kind, std::span<const uint8_t> name,
                                                  wire::RRType qtype, wire::RRClass qclass,
                                                  Instant now) const {
  uint64_t hash = negative_key_hash(name, kind, qtype, qclass);
  auto& shard = store_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  const NegativeEntry* e = shard.store.find(hash, KeyEq{kind, name, qtype, qclass});
  if (e == nullptr || now >= e->expiry) return std::nullopt;
  return e->expiry;
}

bool NegativeCache::erase_if_trust_at_most(NegativeKind kind, std::span<const uint8_t> name,
                                           wire::RRType qtype, wire::RRClass qclass, Trust trust) {
  uint64_t hash = negative_key_hash(name, kind, qtype, qclass);
  auto& shard = store_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  NegativeEntry* e = shard.store.find(hash, KeyEq{kind, name, qtype, qclass});
  if (e == nullptr || e->trust > trust) return false;
  shard.store.erase(e);
  return true;
}

size_t NegativeCache::remove_superseded(const wire::Name& owner, wire::RRType type,
                                        wire::RRClass rclass, Trust trust) {
  // Nothing was ever stored at or below this trust: no probe can remove anything.
  if (uint8_t(trust) < lowest_trust_.load(std::memory_order_relaxed)) return 0;
  auto w = owner.wire();
  size_t removed = erase_if_trust_at_most(NegativeKind::NoData, w, type, rclass, trust) ? 1 : 0;
  // The owner and each ancestor, as suffixes of the owner's wire form; the root is never NXDOMAIN.
  for (size_t off = 0; off < w.size() && w[off] != 0; off += size_t(w[off]) + 1) {
    if (erase_if_trust_at_most(NegativeKind::NxDomain, w.subspan(off), wire::RRType{0}, rclass,
                               trust)) {
      ++removed;
    }
  }
  return removed;
}

size_t NegativeCache::flush_name(const wire::Name& qname) {
  auto w = qname.wire();
  return store_.erase_if([&](const NegativeEntry& e) { return wire_equal_ci(e.name(), w); });
}

size_t NegativeCache::flush_name_type(const wire::Name& qname, wire::RRType qtype,
                                      wire::RRClass qclass) {
  auto w = qname.wire();
  size_t erased = 0;
  for (NegativeKind kind : {NegativeKind::NxDomain, NegativeKind::NoData}) {
    uint64_t hash = negative_key_hash(w, kind, qtype, qclass);
    auto& shard = store_.shard_for(hash);
    std::lock_guard lock(shard.mu);
    if (NegativeEntry* e = shard.store.find(hash, KeyEq{kind, w, qtype, qclass})) {
      shard.store.erase(e);
      ++erased;
    }
  }
  return erased;
}

size_t NegativeCache::flush_subtree(const wire::Name& apex) {
  auto w = apex.wire();
  return store_.erase_if([&](const NegativeEntry& e) { return wire_is_subdomain_ci(e.name(), w); });
}

void NegativeCache::clear() { store_.clear(); }

void NegativeCache::dump(std::ostream& out, Instant now) const {
  store_.for_each([&](const NegativeEntry& e) {
    Freshness f = freshness(e.expiry, now, limits_);
    if (f == Freshness::Dead) return;
    uint32_t ttl = f == Freshness::Fresh ? seconds_left(e.expiry, now) : 0;
    auto name = wire::Name::from_wire_unchecked(e.name(), wire_label_count(e.name()));
    out << "; negative " << (e.kind == NegativeKind::NxDomain ? "NXDOMAIN " : "NODATA ")
        << name.to_text() << ' ' << wire::class_to_text(e.qclass);
    if (e.kind == NegativeKind::NoData) out << ' ' << wire::type_to_text(e.qtype);
    out << " trust=" << to_string(e.trust) << " ttl=" << ttl << "/" << e.original_ttl;
    if (f == Freshness::Stale) out << " stale (expired " << seconds_since(e.expiry, now) << " s ago)";
    if (e.has_soa()) {
      out << "\n; " << wire::rrset_to_text(e.soa_rrset(ttl));
    } else {
      out << " no SOA\n";
    }
  });
}

void NegativeCache::for_each_fresh(Instant now, const std::function<void(const NegativeEntry&)>& f) const {
  store_.for_each([&](const NegativeEntry& e) {
    if (freshness(e.expiry, now, limits_) == Freshness::Fresh) f(e);
  });
}

}  // namespace tern::cache
