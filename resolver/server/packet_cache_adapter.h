// Plugs the cache module's per-thread cache::PacketCache into the front end, with the wall clock
// (or a test's clock).
#pragma once

#include <chrono>
#include <functional>

#include "cache/caches.h"
#include "cache/packet_cache.h"
#include "resolver/server/hit_cache.h"

namespace tern::server {

class PacketCacheAdapter : public HitCache {
 public:
  using Clock = std::function<cache::Instant()>;

  // The worker's share of the shared budget, invalidated by the operator's flushes.
  PacketCacheAdapter(const cache::Caches& caches, size_t worker_threads)
      : cache_(caches.make_packet_cache(worker_threads)) {}
  // `clock`: empty = the wall clock (tests pass a manual one to reach the end of a TTL at once).
  explicit PacketCacheAdapter(size_t budget_bytes, Clock clock = {})
      : cache_(budget_bytes), clock_(std::move(clock)) {}

  bool lookup(std::span<const uint8_t> query, bool tcp, std::vector<uint8_t>& out,
              bool* prefetch_due) override {
    return cache_.lookup(query, now(), out, tcp, prefetch_due);
  }
  void insert(std::span<const uint8_t> query, std::span<const uint8_t> response, bool tcp,
              uint32_t ttl) override {
    cache_.insert(query, response, now(), tcp, ttl);
  }
  void clear() override { cache_.clear(); }
  void add_stats(PacketCacheStats& s) const override {
    s.hits += cache_.hits();
    s.misses += cache_.misses();
    s.bytes += cache_.memory_bytes();
    s.entries += cache_.size();
  }

 private:
  cache::Instant now() const {
    if (clock_) return clock_();
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }
  cache::PacketCache cache_;
  Clock clock_;
};

}  // namespace tern::server
