// Configured upstreams for parts of the name space (issue #15): forward zones (send the question,
// RD=1, to recursive resolvers) and stub zones (iterate from the named authoritative servers,
// RD=0). Immutable once built; the engine holds it through a shared_ptr so a SIGHUP can swap in
// a new table while resolutions that started under the old one finish with it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "resolver/engine/world.h"
#include "wire/name.h"

namespace tern::engine {

// Default port of a DNS-over-TLS forwarder (RFC 7858 §3.1).
inline constexpr uint16_t kDotPort = 853;

struct ConfiguredZone {
  enum class Kind : uint8_t { Forward, Stub };
  Kind kind = Kind::Forward;
  wire::Name name;
  std::vector<Address> addresses;  // with their ports (53, or 853 with tls, unless written)
  bool first = false;     // forward: when every forwarder fails, iterate instead (forward-first)
  bool prime = false;     // stub: ask the servers for the zone's NS set first, iterate from it
  bool insecure = false;  // no DNSSEC validation at or below the zone (iterator_validate.cpp)
  bool tls = false;       // forward: DNS over TLS to the forwarders (RFC 7858)
  std::string tls_name;   // the name the forwarders' certificates must carry
  std::string tls_ca_file;  // CA certificates to check them with; "" = the system store
};

class ZoneRoutes {
 public:
  ZoneRoutes() = default;
  // Later entries with the same name replace earlier ones (the config rejects duplicates).
  explicit ZoneRoutes(std::vector<ConfiguredZone> zones);

  // The configured zone with the longest name at or above `name`; nullptr when none. A forward
  // zone named `skip_forward` is passed over (a forward-first zone whose forwarders failed for
  // this question), so the next enclosing configured zone, or none, applies.
  const ConfiguredZone* find(const wire::Name& name, const wire::Name* skip_forward = nullptr) const;
  // `a` is named by the configured zone closest to `zone`: allowed as an upstream for `zone`
  // whatever the upstream allow-list and the private-address rule say.
  bool named_for(const Address& a, const wire::Name& zone) const;
  // The zone at or above `name` marked insecure (validation off there), nullptr when none.
  const ConfiguredZone* insecure_at(const wire::Name& name) const;

  bool empty() const { return zones_.empty(); }
  const std::vector<ConfiguredZone>& zones() const { return zones_; }
  // Text that changes when anything in the table does (reload compares it).
  std::string fingerprint() const;

 private:
  std::vector<ConfiguredZone> zones_;  // longest names first
};

using ZoneRoutesPtr = std::shared_ptr<const ZoneRoutes>;

}  // namespace tern::engine
