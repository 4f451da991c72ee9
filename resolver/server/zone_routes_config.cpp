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
    for (const auto& text : c.addresses)
      if (auto a = engine::Address::parse(text, 53)) z.addresses.push_back(*a);
    z.first = c.first;
    z.prime = c.prime;
    z.insecure = c.insecure;
    zones.push_back(std::move(z));
  }
  return std::make_shared<const engine::ZoneRoutes>(std::move(zones));
}

}  // namespace tern::server
