// Which upstream servers the engine may send to: the upstream allow-list, the loopback/private
// rule (as Unbound's do-not-query-localhost) and the IPv6 switch. One rule, used by the iterator
// for every server it picks and by start-up to check that the root hints are reachable at all.
#pragma once

#include <cstddef>
#include <vector>

#include "resolver/engine/engine_config.h"
#include "resolver/engine/root_hints.h"
#include "resolver/engine/world.h"

namespace tern::engine {

bool upstream_allowed(const EngineConfig& cfg, const Address& a);

// The root hints' server addresses (on cfg.upstream_port), split by that rule. With no allowed
// one the engine could never prime: every question would end in SERVFAIL.
struct HintReach {
  std::vector<Address> allowed;
  std::vector<Address> refused;
};
HintReach hint_reach(const EngineConfig& cfg, const RootHints& hints);

}  // namespace tern::engine
