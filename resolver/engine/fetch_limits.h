// FetchCounts: upstream queries outstanding from one engine (one worker thread), per zone and per
// server address, for the fetches-per-zone / fetches-per-server limits (BIND's names). A zone or
// server at its quota gets no new query: the work that needs it fails at once (Failure::FetchLimit)
// instead of queueing behind a zone or server that is not answering.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "resolver/engine/world.h"
#include "wire/name.h"

namespace tern::engine {

class FetchCounts {
 public:
  // The quota of a server with `consecutive_timeouts` counted timeouts: `per_server` divided by
  // 4 per timeout, at least 1 (0 = no limit). BIND adapts its quota to the timeout ratio too.
  static uint32_t server_quota(uint32_t per_server, uint32_t consecutive_timeouts);

  bool zone_full(const wire::Name& zone, uint32_t per_zone) const;
  bool server_full(const Address& a, uint32_t quota) const;
  void add(const wire::Name& zone, const Address& a);
  void release(const wire::Name& zone, const Address& a);

  uint32_t zone_count(const wire::Name& zone) const;
  uint32_t server_count(const Address& a) const;

 private:
  std::unordered_map<wire::Name, uint32_t, wire::NameHash> zones_;
  std::unordered_map<Address, uint32_t, AddressHash> servers_;
};

}  // namespace tern::engine
