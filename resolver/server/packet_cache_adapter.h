// Plugs the cache module's per-thread cache::PacketCache into the front end, with the wall clock.
#pragma once

#include <chrono>

#include "cache/packet_cache.h"
#include "resolver/server/hit_cache.h"

namespace tern::server {

class PacketCacheAdapter : public HitCache {
 public:
  explicit PacketCacheAdapter(cache::PacketCache cache) : cache_(std::move(cache)) {}

  bool lookup(std::span<const uint8_t> query, bool tcp, std::vector<uint8_t>& out) override {
    return cache_.lookup(query, now(), out, tcp);
  }
  void insert(std::span<const uint8_t> query, std::span<const uint8_t> response, bool tcp,
              uint32_t ttl) override {
    cache_.insert(query, response, now(), tcp, ttl);
  }
  void clear() override { cache_.clear(); }

 private:
  static cache::Instant now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }
  cache::PacketCache cache_;
};

}  // namespace tern::server
