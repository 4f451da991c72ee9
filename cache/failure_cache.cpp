#include "cache/failure_cache.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>

#include "cache/name_key.h"

namespace tern::cache {
namespace {

uint64_t failure_hash(std::span<const uint8_t> lower, wire::RRType type, wire::RRClass rclass) {
  return hash_name_key(lower, uint64_t(uint16_t(type)) << 16 | uint16_t(rclass));
}

}  // namespace

FailureEntry* FailureEntry::create(const wire::Name& lower, wire::RRType type,
                                   wire::RRClass rclass, uint64_t hash, const FailureWhy& why) {
  auto w = lower.wire();
  auto z = why.zone.wire();
  size_t size = sizeof(FailureEntry) + w.size() + z.size();
  auto* e = new (::operator new(size)) FailureEntry();
  e->hash = hash;
  e->bytes = uint32_t(allocation_bytes(size));
  e->type = uint16_t(type);
  e->rclass = uint16_t(rclass);
  e->name_size = uint8_t(w.size());
  std::memcpy(e + 1, w.data(), w.size());
  e->reason = why.reason;
  e->zone_size = uint8_t(z.size());
  std::memcpy(reinterpret_cast<uint8_t*>(e + 1) + w.size(), z.data(), z.size());
  e->has_server = why.server.has_value();
  if (why.server) e->server = *why.server;
  return e;
}

void FailureEntry::destroy(FailureEntry* e) {
  e->~FailureEntry();
  ::operator delete(e);
}

FailureCache::FailureCache(size_t budget_bytes, size_t shards) : failures_(shards, budget_bytes) {}

Seconds FailureCache::record(const wire::Name& name, wire::RRType type, wire::RRClass rclass,
                             MonoInstant now, Seconds min_ttl, Seconds max_ttl,
                             const FailureWhy& why) {
  max_ttl = std::max(max_ttl, min_ttl);
  auto lower = name.lowercased();
  uint64_t hash = failure_hash(lower.wire(), type, rclass);
  auto& shard = failures_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  auto eq = [&](const FailureEntry& e) {
    return e.type == uint16_t(type) && e.rclass == uint16_t(rclass) &&
           wire_equal_ci(e.name(), lower.wire());
  };
  Seconds ttl = min_ttl;
  FailureEntry* e = shard.store.find(hash, eq);
  if (e != nullptr && now < e->forget_at) {
    // Failing again while (or soon after) the last failure stood: back off further.
    ttl = std::clamp(Seconds(uint64_t(e->ttl_s) * 2), min_ttl, max_ttl);
  }
  // The zone is stored inline: another zone than last time needs a new entry (the backoff state
  // is all in `ttl`, computed above).
  if (e != nullptr && !std::equal(e->zone().begin(), e->zone().end(), why.zone.wire().begin(),
                                  why.zone.wire().end())) {
    shard.store.erase(e);
    e = nullptr;
  }
  if (e == nullptr) {
    e = FailureEntry::create(lower, type, rclass, hash, why);
    if (!shard.store.insert(e, [&](const FailureEntry& x) { return now >= x.forget_at; }))
      return ttl;
    e = shard.store.find(hash, eq);  // SIEVE may have evicted the newest entry itself
    if (e == nullptr) return ttl;
  }
  e->visited = true;
  e->reason = why.reason;
  e->has_server = why.server.has_value();
  if (why.server) e->server = *why.server;
  e->ttl_s = uint32_t(ttl.count());
  e->until = now + ttl;
  e->forget_at = now + 2 * ttl;
  return ttl;
}

std::optional<FailureCache::Standing> FailureCache::why(const wire::Name& name, wire::RRType type,
                                                       wire::RRClass rclass, MonoInstant now) const {
  auto lower = name.lowercased();
  uint64_t hash = failure_hash(lower.wire(), type, rclass);
  auto& shard = failures_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  FailureEntry* e = shard.store.find(hash, [&](const FailureEntry& x) {
    return x.type == uint16_t(type) && x.rclass == uint16_t(rclass) &&
           wire_equal_ci(x.name(), lower.wire());
  });
  if (e == nullptr || now >= e->until) return std::nullopt;
  e->visited = true;
  Standing s;
  s.why.reason = e->reason;
  if (auto z = wire::Name::from_wire(e->zone())) s.why.zone = *z;
  if (e->has_server) s.why.server = e->server;
  s.left = std::chrono::duration_cast<Seconds>(e->until - now);
  return s;
}

}  // namespace tern::cache
