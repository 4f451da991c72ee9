#include "resolver/engine/zone_routes.h"

#include <algorithm>

namespace tern::engine {

ZoneRoutes::ZoneRoutes(std::vector<ConfiguredZone> zones) {
  for (auto& z : zones) {
    auto same = std::find_if(zones_.begin(), zones_.end(), [&](const auto& x) { return x.name == z.name; });
    if (same != zones_.end())
      *same = std::move(z);
    else
      zones_.push_back(std::move(z));
  }
  // Longest first: the first match of a walk is the closest enclosing zone. A handful of zones
  // is the common case, so a scan beats a tree here.
  std::stable_sort(zones_.begin(), zones_.end(), [](const auto& a, const auto& b) {
    return a.name.label_count() > b.name.label_count();
  });
}

const ConfiguredZone* ZoneRoutes::find(const wire::Name& name, const wire::Name* skip_forward) const {
  for (const auto& z : zones_) {
    if (!name.is_subdomain_of(z.name)) continue;
    if (skip_forward && z.kind == ConfiguredZone::Kind::Forward && z.name == *skip_forward) continue;
    return &z;
  }
  return nullptr;
}

bool ZoneRoutes::named_for(const Address& a, const wire::Name& zone) const {
  const ConfiguredZone* z = find(zone);
  return z && std::find(z->addresses.begin(), z->addresses.end(), a) != z->addresses.end();
}

const ConfiguredZone* ZoneRoutes::insecure_at(const wire::Name& name) const {
  for (const auto& z : zones_)
    if (z.insecure && name.is_subdomain_of(z.name)) return &z;
  return nullptr;
}

std::string ZoneRoutes::fingerprint() const {
  std::string s;
  for (const auto& z : zones_) {
    s += z.kind == ConfiguredZone::Kind::Forward ? "forward " : "stub ";
    s += z.name.to_text();
    // Appended piece by piece, not " " + x: GCC 12 -O3 warns falsely there (-Wrestrict, PR 105329).
    for (const auto& a : z.addresses) {
      s += ' ';
      s += a.to_string();
    }
    s += z.first ? " first" : "";
    s += z.prime ? " prime" : "";
    s += z.insecure ? " insecure" : "";
    if (z.tls) {
      s += " tls=";
      s += z.tls_name;
      s += " ca=";
      s += z.tls_ca_file;
    }
    s += '\n';
  }
  return s;
}

}  // namespace tern::engine
