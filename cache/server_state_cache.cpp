#include "cache/server_state_cache.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>

#include "cache/name_key.h"

namespace tern::cache {
namespace {

uint64_t server_hash(const ServerKey& k) {
  return hash_name_key(k.addr, uint64_t(k.port) << 1 | uint64_t(k.v6));
}

uint64_t lame_hash(const ServerKey& k, std::span<const uint8_t> zone) {
  return hash_name_key(zone, server_hash(k));
}

bool expired(const ServerEntry& e, MonoInstant now) { return now >= e.updated + kServerStateTtl; }

void reset(ServerEntry& e, MonoInstant now) {
  e.updated = now;
  e.heard = now;
  e.last_timeout = MonoInstant{};
  e.srtt_ms = uint32_t(kUnknownServerRtt.count());
  e.rttvar_ms = 0;
  e.timeouts = 0;
  e.samples = 0;
  e.has_rtt = false;
  e.edns = EdnsSupport::Unknown;
}

}  // namespace

ServerKey ServerKey::ipv4(std::array<uint8_t, 4> a, uint16_t port) {
  ServerKey k;
  std::copy(a.begin(), a.end(), k.addr.begin());
  k.port = port;
  return k;
}

ServerKey ServerKey::ipv6(std::array<uint8_t, 16> a, uint16_t port) {
  ServerKey k;
  k.addr = a;
  k.port = port;
  k.v6 = true;
  return k;
}

LameEntry* LameEntry::create(const ServerKey& key, const wire::Name& zone, uint64_t hash) {
  auto lower = zone.lowercased();
  auto w = lower.wire();
  size_t size = sizeof(LameEntry) + w.size();
  auto* e = new (::operator new(size)) LameEntry();
  e->hash = hash;
  e->bytes = uint32_t(allocation_bytes(size));
  e->key = key;
  e->zone_size = uint8_t(w.size());
  std::memcpy(e + 1, w.data(), w.size());
  return e;
}

void LameEntry::destroy(LameEntry* e) {
  e->~LameEntry();
  ::operator delete(e);
}

ServerStateCache::ServerStateCache(size_t budget_bytes, size_t shards)
    : servers_(shards, budget_bytes / 2), lame_(shards, budget_bytes / 2) {}

template <class Update>
void ServerStateCache::update(const ServerKey& server, MonoInstant now, Update&& fn) {
  uint64_t hash = server_hash(server);
  auto& shard = servers_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  auto eq = [&](const ServerEntry& e) { return e.key == server; };
  if (ServerEntry* e = shard.store.find(hash, eq)) {
    if (expired(*e, now)) reset(*e, now);
    e->visited = true;
    fn(*e);
    e->updated = now;
    return;
  }
  auto* e = new ServerEntry();
  e->hash = hash;
  e->bytes = uint32_t(allocation_bytes(sizeof(ServerEntry)));
  e->key = server;
  reset(*e, now);
  fn(*e);
  // The entry is complete before insert: SIEVE may evict the newest entry itself.
  shard.store.insert(e, [&](const ServerEntry& x) { return expired(x, now); });
}

void ServerStateCache::record_rtt(const ServerKey& server, Millis rtt, MonoInstant now) {
  uint32_t sample = uint32_t(std::clamp<int64_t>(rtt.count(), 0, kMaxRttSample.count()));
  update(server, now, [&](ServerEntry& e) {
    if (!e.has_rtt) {
      e.srtt_ms = sample;
      e.rttvar_ms = sample / 2;  // RFC 6298 §2.2
      e.has_rtt = true;
    } else {
      int64_t delta = int64_t(sample) - int64_t(e.srtt_ms);
      int64_t dev = delta < 0 ? -delta : delta;
      e.rttvar_ms = uint32_t(int64_t(e.rttvar_ms) + (dev - int64_t(e.rttvar_ms)) / 4);
      e.srtt_ms = uint32_t(int64_t(e.srtt_ms) + delta / 8);
    }
    if (e.samples < 255) ++e.samples;
    e.timeouts = 0;
    e.last_timeout = MonoInstant{};
    e.heard = now;
  });
}

void ServerStateCache::record_timeout(const ServerKey& server, uint32_t sent_exponent,
                                      MonoInstant now) {
  update(server, now, [&](ServerEntry& e) {
    // Sent before another timeout was counted: the same outage, already counted.
    if (sent_exponent < e.timeouts) return;
    if (e.timeouts < 64) ++e.timeouts;
    e.last_timeout = now;
  });
}

bool ServerStateCache::claim_probe(const ServerKey& server, MonoInstant seen_last_timeout,
                                   MonoInstant now) {
  bool claimed = false;
  update(server, now, [&](ServerEntry& e) {
    if (e.last_timeout != seen_last_timeout) return;
    e.last_timeout = now;
    claimed = true;
  });
  return claimed;
}

void ServerStateCache::record_edns(const ServerKey& server, EdnsSupport edns, MonoInstant now) {
  update(server, now, [&](ServerEntry& e) { e.edns = edns; });
}

ServerInfo ServerStateCache::info(const ServerKey& server, MonoInstant now) const {
  uint64_t hash = server_hash(server);
  auto& shard = servers_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  ServerEntry* e = shard.store.find(hash, [&](const ServerEntry& x) { return x.key == server; });
  ServerInfo out;
  if (e == nullptr || expired(*e, now)) return out;
  e->visited = true;
  out.known = e->has_rtt || e->timeouts > 0;
  out.has_rtt = e->has_rtt;
  out.samples = e->samples;
  out.srtt = Millis(e->srtt_ms);
  out.rttvar = Millis(e->rttvar_ms);
  out.consecutive_timeouts = e->timeouts;
  out.last_timeout = e->last_timeout;
  out.edns = e->edns;
  uint32_t halvings = seconds_since(e->heard, now) / uint32_t(kRttDecayHalfLife.count());
  // Never answered: the cost is what each timeout doubled.
  uint64_t base = e->has_rtt ? e->srtt_ms
                             : uint64_t(kUnknownServerRtt.count()) << std::min<uint32_t>(e->timeouts, 8);
  out.selection_rtt = Millis(halvings >= 32 ? 0 : base >> halvings);
  return out;
}

bool ServerStateCache::record_lame(const ServerKey& server, const wire::Name& zone,
                                   MonoInstant now, Seconds max_ttl) {
  auto lower = zone.lowercased();
  uint64_t hash = lame_hash(server, lower.wire());
  auto& shard = lame_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  auto eq = [&](const LameEntry& e) { return e.key == server && wire_equal_ci(e.zone(), lower.wire()); };
  LameEntry* e = shard.store.find(hash, eq);
  if (e != nullptr && now >= e->forget_at) {
    shard.store.erase(e);
    e = nullptr;
  }
  if (e == nullptr) {
    e = LameEntry::create(server, lower, hash);
    e->forget_at = now + kLameEvidenceWindow;
    shard.store.insert(e, [&](const LameEntry& x) { return now >= x.forget_at; });
    // SIEVE may have evicted the entry it just took: look it up again.
    e = shard.store.find(hash, eq);
    if (e == nullptr) return false;
  }
  e->visited = true;
  if (now < e->lame_until) return false;  // already lame: the mark stands as it is
  if (now >= e->window_until) {
    e->strikes = 0;
    e->window_until = now + kLameEvidenceWindow;
  }
  if (++e->strikes < kLameStrikes) {
    e->forget_at = std::max(e->forget_at, e->window_until);
    return false;
  }
  e->strikes = 0;
  uint32_t doublings = std::min<uint32_t>(e->repetitions, 16);
  Seconds ttl = std::min<Seconds>(kLameTtlBase * (uint64_t(1) << doublings), max_ttl);
  if (e->repetitions < 255) ++e->repetitions;
  e->lame_until = now + ttl;
  // The repetition count lasts as long again as the mark: lame again soon after, lame longer.
  e->forget_at = now + 2 * ttl;
  return true;
}

bool ServerStateCache::is_lame(const ServerKey& server, const wire::Name& zone, MonoInstant now) const {
  auto lower = zone.lowercased();
  uint64_t hash = lame_hash(server, lower.wire());
  auto& shard = lame_.shard_for(hash);
  std::lock_guard lock(shard.mu);
  auto eq = [&](const LameEntry& e) { return e.key == server && wire_equal_ci(e.zone(), lower.wire()); };
  LameEntry* e = shard.store.find(hash, eq);
  if (e == nullptr) return false;
  if (now >= e->forget_at) {
    shard.store.erase(e);
    return false;
  }
  if (now >= e->lame_until) return false;
  e->visited = true;
  return true;
}

void ServerStateCache::clear() {
  servers_.clear();
  lame_.clear();
}

}  // namespace tern::cache
