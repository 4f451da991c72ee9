#include "resolver/engine/key_cache.h"

namespace tern::engine {

KeyCache::KeyCache(size_t max_zones) : max_zones_(max_zones) {}

const ZoneKeys* KeyCache::find(const wire::Name& zone, cache::Instant now) const {
  auto it = zones_.find(zone);
  if (it == zones_.end() || !(now < it->second.expiry)) return nullptr;
  return &it->second;
}

void KeyCache::put(const wire::Name& zone, ZoneKeys keys) {
  // Full: start again. Key sets are few (one per signed zone asked about) and cheap to learn
  // again; a bound matters more than keeping the coldest ones.
  if (zones_.size() >= max_zones_ && !zones_.count(zone)) zones_.clear();
  zones_[zone] = std::move(keys);
}

}  // namespace tern::engine
