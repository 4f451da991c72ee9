// The shared second-level cache ([cache.redis]): what one worker asks Redis after its own caches
// missed, and what it stores there after a resolution. Built on RedisClient (transport, limits,
// reconnects) and shared_value.h (the key and the strictly parsed value). Counts hits, misses,
// invalid values and the rest for the metrics (SharedCacheStats). Worker thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>

#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/server/backend_stats.h"
#include "resolver/server/client_query.h"
#include "resolver/server/redis_client.h"
#include "resolver/server/shared_value.h"

namespace tern::server {

struct SharedCacheSettings {
  RedisSettings redis;
  // With serve-stale, values stay in Redis this long past their TTL (cache.stale-window), so an
  // instance whose resolution fails can still answer from the fleet's expired copy (RFC 8767).
  uint32_t stale_window = 0;
};

// What a lookup found: a fresh answer to send, or an expired one kept in case the resolution
// fails, or neither.
struct SharedLookup {
  std::optional<Sections> fresh;
  std::optional<Sections> stale;
};

class SharedCache {
 public:
  SharedCache(uv_loop_t* loop, SharedCacheSettings settings, config::Log& log);

  // `now_unix`: wall-clock seconds. `done` is called exactly once (possibly synchronously)
  // unless the cache is destroyed first.
  void lookup(const SharedKey& key, uint64_t now_unix, std::function<void(SharedLookup)> done);
  // Stores a finished answer with the smallest TTL of its answer and authority records; an
  // answer with TTL 0 is not stored.
  void store(const SharedKey& key, const Sections& sections, uint64_t now_unix);
  // Counts an answer served from a stale shared value after the resolution failed.
  void count_stale_answer() { ++stale_answers_; }

  size_t pending() const { return redis_.pending_gets(); }
  SharedCacheStats stats() const;

 private:
  SharedCacheSettings settings_;
  config::Log& log_;
  RedisClient redis_;
  uint64_t hits_ = 0, misses_ = 0, expired_ = 0, invalid_ = 0, stores_ = 0, stale_answers_ = 0;
  config::WarningLimiter warn_invalid_;
};

// nullptr when [cache.redis] server is not set.
std::unique_ptr<SharedCache> make_shared_cache(uv_loop_t* loop, const config::Config& cfg,
                                               config::Log& log);

}  // namespace tern::server
