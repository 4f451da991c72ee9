#include "resolver/server/shared_cache.h"

#include <algorithm>

#include "resolver/server/response.h"

namespace tern::server {

SharedCache::SharedCache(uv_loop_t* loop, SharedCacheSettings settings, config::Log& log)
    : settings_(std::move(settings)), log_(log), redis_(loop, settings_.redis, log) {}

void SharedCache::lookup(const SharedKey& key, uint64_t now_unix,
                         std::function<void(SharedLookup)> done) {
  redis_.get(shared_key_text(key), [this, key, now_unix, done = std::move(done)](
                                       RedisResult r, std::span<const uint8_t> bytes) {
    SharedLookup out;
    if (r == RedisResult::Nil) ++misses_;
    if (r == RedisResult::Value) {
      SharedDecode d = decode_shared_value(key, bytes, now_unix);
      if (!d.value) {
        // Someone else's key, an older format, or garbage: resolved normally, and the store
        // that follows the resolution overwrites it.
        ++invalid_;
        log_.warn_limited(warn_invalid_, "redis {}: the value for '{}' was rejected ({}); the name "
                          "is resolved and the value replaced", settings_.redis.server,
                          shared_key_text(key), to_string(*d.error));
      } else if (d.value->expired) {
        ++expired_;
        out.stale = std::move(d.value->sections);
      } else {
        ++hits_;
        out.fresh = std::move(d.value->sections);
      }
    }
    done(std::move(out));
  });
}

void SharedCache::store(const SharedKey& key, const Sections& sections, uint64_t now_unix) {
  uint32_t ttl = min_ttl(sections);
  if (ttl == 0) return;
  std::vector<uint8_t> value = encode_shared_value(key, sections, now_unix, ttl);
  if (value.size() > kSharedValueMaxBytes) return;
  uint64_t expire = uint64_t(ttl) + settings_.stale_window;
  ++stores_;
  redis_.set(shared_key_text(key), value, uint32_t(std::min<uint64_t>(expire, kSharedValueMaxTtl)));
}

SharedCacheStats SharedCache::stats() const {
  const RedisCounters& c = redis_.counters();
  SharedCacheStats s;
  s.hits = hits_;
  s.misses = misses_;
  s.expired = expired_;
  s.invalid = invalid_;
  s.errors = c.errors;
  s.timeouts = c.timeouts;
  s.skipped = c.skipped;
  s.stores = stores_;
  s.stale_answers = stale_answers_;
  s.connected = redis_.connected() ? 1 : 0;
  return s;
}

std::unique_ptr<SharedCache> make_shared_cache(uv_loop_t* loop, const config::Config& cfg,
                                               config::Log& log) {
  const config::RedisConfig& r = cfg.cache.redis;
  if (r.server.empty()) return nullptr;
  SharedCacheSettings s;
  s.redis.server = r.server;
  s.redis.timeout_ms = r.timeout_ms;
  s.redis.max_outstanding = r.max_outstanding;
  s.stale_window = cfg.cache.serve_stale ? cfg.cache.stale_window : 0;
  return std::make_unique<SharedCache>(loop, std::move(s), log);
}

}  // namespace tern::server
