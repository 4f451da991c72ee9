#include "resolver/engine/upstream_policy.h"

#include <algorithm>

namespace tern::engine {

bool upstream_allowed(const EngineConfig& cfg, const Address& a) {
  if (a.v6 && !cfg.ipv6) return false;
  for (const auto& net : cfg.upstream_allow)
    if (net.contains(a)) return true;
  if (!cfg.upstream_allow.empty()) return false;
  // No allow-list: any global address, never loopback or private ones (do-not-query-localhost).
  return !a.is_loopback() && !a.is_private();
}

HintReach hint_reach(const EngineConfig& cfg, const RootHints& hints) {
  HintReach r;
  std::vector<wire::Name> seen;  // a name with both A and AAAA has two RRsets
  for (const auto& set : hints.addrs) {
    if (std::find(seen.begin(), seen.end(), set.owner) != seen.end()) continue;
    seen.push_back(set.owner);
    for (const auto& a : hint_addresses(hints, set.owner, cfg.upstream_port))
      (upstream_allowed(cfg, a) ? r.allowed : r.refused).push_back(a);
  }
  return r;
}

}  // namespace tern::engine
