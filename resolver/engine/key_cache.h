// KeyCache: what validation learned about each zone's keys (Unbound's key cache, val_kcache): a
// validated DNSKEY set, or the zone proven insecure, or found bogus, with an expiry. One per
// engine (worker thread), so it needs no lock; bounded by kMaxKeyCacheZones.
#pragma once

#include <unordered_map>

#include "cache/time.h"
#include "resolver/validator/security_status.h"
#include "wire/name.h"
#include "wire/rrset.h"

namespace tern::engine {

struct ZoneKeys {
  validator::Security security = validator::Security::Indeterminate;
  validator::Reason reason = validator::Reason::None;
  wire::RRset dnskeys;  // Secure only: the zone's validated DNSKEY set
  cache::Instant expiry{};
};

class KeyCache {
 public:
  explicit KeyCache(size_t max_zones);
  // The live entry for exactly `zone`, or null.
  const ZoneKeys* find(const wire::Name& zone, cache::Instant now) const;
  void put(const wire::Name& zone, ZoneKeys keys);
  size_t size() const { return zones_.size(); }
  void clear() { zones_.clear(); }

 private:
  struct Hash {
    size_t operator()(const wire::Name& n) const { return n.hash(); }
  };
  size_t max_zones_;
  std::unordered_map<wire::Name, ZoneKeys, Hash> zones_;
};

}  // namespace tern::engine
