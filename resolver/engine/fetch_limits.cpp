#include "resolver/engine/fetch_limits.h"

#include <algorithm>

namespace tern::engine {

uint32_t FetchCounts::server_quota(uint32_t per_server, uint32_t consecutive_timeouts) {
  if (per_server == 0) return 0;
  uint32_t shift = std::min<uint32_t>(consecutive_timeouts * 2, 31);
  return std::max<uint32_t>(1, per_server >> shift);
}

bool FetchCounts::zone_full(const wire::Name& zone, uint32_t per_zone) const {
  return per_zone != 0 && zone_count(zone) >= per_zone;
}

bool FetchCounts::server_full(const Address& a, uint32_t quota) const {
  return quota != 0 && server_count(a) >= quota;
}

void FetchCounts::add(const wire::Name& zone, const Address& a) {
  ++zones_[zone];
  ++servers_[a];
}

void FetchCounts::release(const wire::Name& zone, const Address& a) {
  if (auto it = zones_.find(zone); it != zones_.end() && --it->second == 0) zones_.erase(it);
  if (auto it = servers_.find(a); it != servers_.end() && --it->second == 0) servers_.erase(it);
}

uint32_t FetchCounts::zone_count(const wire::Name& zone) const {
  auto it = zones_.find(zone);
  return it == zones_.end() ? 0 : it->second;
}

uint32_t FetchCounts::server_count(const Address& a) const {
  auto it = servers_.find(a);
  return it == servers_.end() ? 0 : it->second;
}

}  // namespace tern::engine
