#include "cache/rrset_cache.h"

#include <mutex>

#include "cache/freshness.h"
#include "cache/name_key.h"
#include "wire/text.h"

namespace tern::cache {
namespace {

struct KeyEq {
  std::span<const uint8_t> owner;
  wire::RRType type;
  wire::RRClass rclass;
  bool operator()(const RRsetEntry& e) const {
    return e.type == type && e.rclass == rclass && wire_equal_ci(e.owner(), owner);
  }
};

}  // namespace

RRsetCache::RRsetCache(const CacheLimits& limits, size_t budget_bytes)
    : limits_(limits), store_(limits.shards, budget_bytes) {}

bool RRsetCache::insert(const wire::RRset& rrset, Trust trust, Instant now) {
  if (rrset.empty()) return false;
  uint32_t ttl = clamp_ttl(rrset.ttl, limits_);
  auto owner = rrset.owner.wire();
  uint64_t hash = rrset_key_hash(owner, rrset.type, rrset.rclass);
  auto& shard = store_.shard_for(hash);
  auto dead = [&](const RRsetEntry& e) { return freshness(e.expiry, now, limits_) == Freshness::Dead; };

  Instant expiry = expiry_after(now, ttl);
  bool capped = false;
  bool prefetch_claimed = false;
  std::lock_guard lock(shard.mu);
  if (RRsetEntry* old = shard.store.find(hash, KeyEq{owner, rrset.type, rrset.rclass})) {
    bool live = now < old->expiry;
    if (live && trust < old->trust) return false;
    // Ghost-domain defence (as Unbound does for NS): a delegation's lifetime is set by the parent;
    // an NS set re-learnt while the cached one is live never outlives it, so a revoked domain's
    // own servers cannot keep it alive by answering with fresh TTLs.
    if (live && rrset.type == wire::RRType::NS && old->expiry < expiry) {
      expiry = old->expiry;
      ttl = old->original_ttl;
      prefetch_claimed = old->prefetch_claimed;
      capped = true;
    }
    shard.store.erase(old);
  }
  if (ttl == 0) return true;
  auto* e = RRsetEntry::create(rrset, hash, trust, expiry, ttl, Generation(++shard.sequence));
  if (capped) e->prefetch_claimed = prefetch_claimed;
  return shard.store.insert(e, dead);
}

std::optional<CachedRRset> RRsetCache::find(std::span<const uint8_t> wire_owner, wire::RRType type,
                                            wire::RRClass rclass, Instant now, bool allow_stale,
                                            std::optional<Generation> generation) {
  uint64_t hash = rrset_key_hash(wire_owner, type, rclass);
  auto& shard = store_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  RRsetEntry* e = shard.store.find(hash, KeyEq{wire_owner, type, rclass});
  if (e == nullptr) return std::nullopt;
  if (generation && e->generation != *generation) return std::nullopt;
  switch (freshness(e->expiry, now, limits_)) {
    case Freshness::Dead:
      shard.store.erase(e);
      return std::nullopt;
    case Freshness::Stale:
      if (!allow_stale) return std::nullopt;
      e->visited = true;
      return CachedRRset{e->to_rrset(kStaleTtl), e->trust, e->original_ttl, true, false};
    case Freshness::Fresh:
      break;
  }
  e->visited = true;
  bool prefetch = false;
  if (!e->prefetch_claimed && in_prefetch_window(e->expiry, e->original_ttl, now)) {
    e->prefetch_claimed = true;
    prefetch = true;
  }
  return CachedRRset{e->to_rrset(seconds_left(e->expiry, now)), e->trust, e->original_ttl, false,
                     prefetch};
}

std::optional<CachedRRset> RRsetCache::lookup(const wire::Name& owner, wire::RRType type,
                                              wire::RRClass rclass, Instant now) {
  return find(owner.wire(), type, rclass, now, false, std::nullopt);
}

std::optional<CachedRRset> RRsetCache::lookup_stale(const wire::Name& owner, wire::RRType type,
                                                    wire::RRClass rclass, Instant now) {
  return find(owner.wire(), type, rclass, now, limits_.serve_stale, std::nullopt);
}

std::optional<RRsetStamp> RRsetCache::stamp(std::span<const uint8_t> owner_wire, wire::RRType type,
                                            wire::RRClass rclass, Instant now) const {
  uint64_t hash = rrset_key_hash(owner_wire, type, rclass);
  auto& shard = store_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  const RRsetEntry* e = shard.store.find(hash, KeyEq{owner_wire, type, rclass});
  if (e == nullptr || now >= e->expiry) return std::nullopt;
  return RRsetStamp{e->generation, e->expiry, e->trust};
}

std::optional<CachedRRset> RRsetCache::lookup_generation(std::span<const uint8_t> owner_wire,
                                                         wire::RRType type, wire::RRClass rclass,
                                                         Generation generation, Instant now,
                                                         bool allow_stale) {
  return find(owner_wire, type, rclass, now, allow_stale && limits_.serve_stale, generation);
}

size_t RRsetCache::flush_name(const wire::Name& owner) {
  auto w = owner.wire();
  return store_.erase_if([&](const RRsetEntry& e) { return wire_equal_ci(e.owner(), w); });
}

size_t RRsetCache::flush_name_type(const wire::Name& owner, wire::RRType type,
                                   wire::RRClass rclass) {
  auto w = owner.wire();
  uint64_t hash = rrset_key_hash(w, type, rclass);
  auto& shard = store_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  RRsetEntry* e = shard.store.find(hash, KeyEq{w, type, rclass});
  if (e == nullptr) return 0;
  shard.store.erase(e);
  return 1;
}

size_t RRsetCache::flush_subtree(const wire::Name& apex) {
  auto w = apex.wire();
  return store_.erase_if([&](const RRsetEntry& e) { return wire_is_subdomain_ci(e.owner(), w); });
}

void RRsetCache::clear() { store_.clear(); }

void RRsetCache::dump(std::ostream& out, Instant now) const {
  store_.for_each([&](const RRsetEntry& e) {
    Freshness f = freshness(e.expiry, now, limits_);
    if (f == Freshness::Dead) return;
    uint32_t ttl = f == Freshness::Fresh ? seconds_left(e.expiry, now) : 0;
    out << "; rrset trust=" << to_string(e.trust) << " ttl=" << ttl << "/" << e.original_ttl;
    if (f == Freshness::Stale) out << " stale (expired " << seconds_since(e.expiry, now) << " s ago)";
    out << '\n' << wire::rrset_to_text(e.to_rrset(ttl));
  });
}

void RRsetCache::for_each_fresh(Instant now, const std::function<void(const RRsetEntry&)>& f) const {
  store_.for_each([&](const RRsetEntry& e) {
    if (freshness(e.expiry, now, limits_) == Freshness::Fresh) f(e);
  });
}

}  // namespace tern::cache
