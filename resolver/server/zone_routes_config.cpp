#include "resolver/server/zone_routes_config.h"

namespace tern::server {

engine::ZoneRoutesPtr make_zone_routes(const config::Config& cfg) {
  if (cfg.upstream_zones.empty()) return nullptr;
  std::vector<engine::ConfiguredZone> zones;
  for (const auto& c : cfg.upstream_zones) {
    engine::ConfiguredZone z;
    z.kind = c.stub ? engine::ConfiguredZone::Kind::Stub : engine::ConfiguredZone::Kind::Forward;
    auto name = wire::Name::from_text(c.name);
    if (!name) continue;  // the parser rejected it already
    z.name = *name;
    const uint16_t port = c.tls ? engine::kDotPort : 53;
    for (const auto& text : c.addresses)
      if (auto a = engine::Address::parse(text, port)) z.addresses.push_back(*a);
    z.tls = c.tls;
    // Certificates and SNI (RFC 6066 §3) carry host names without the final dot.
    z.tls_name = c.tls_name;
    if (z.tls_name.size() > 1 && z.tls_name.back() == '.') z.tls_name.pop_back();
    z.tls_ca_file = c.tls_ca_file;
    z.first = c.first;
    z.prime = c.prime;
    z.insecure = c.insecure;
    zones.push_back(std::move(z));
  }
  return std::make_shared<const engine::ZoneRoutes>(std::move(zones));
}



std::vector<net::TlsPeer> tls_peers(const engine::ZoneRoutesPtr& routes) {
  std::vector<net::TlsPeer> out;
  if (!routes) return out;
  for (const auto& z : routes->zones())
    if (z.tls)
      for (const auto& a : z.addresses) out.push_back({a, z.tls_name, z.tls_ca_file});
  return out;
}

}  // namespace tern::server
