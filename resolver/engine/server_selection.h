// Server selection: which address of a delegation to ask next, and how long to wait for it.
#pragma once

#include <chrono>
#include <optional>

#include "resolver/engine/cache_access.h"
#include "resolver/engine/delegation.h"
#include "resolver/engine/engine_config.h"

namespace tern::engine {

// Best address of `dp` not used up for this question and not marked lame for the zone: lowest
// selection RTT from the server state cache (unknown servers at cache::kUnknownServerRtt, so they
// get probed before servers known to be slow; backed-off servers last), fewer attempts first,
// ties broken by the
// order of the NS set. Deterministic on purpose: the tests assert the exact queries sent.
std::optional<Address> choose_server(const Delegation& dp, CacheAccess& cache,
                                     const EngineConfig& cfg, MonoInstant now);

// Retransmission timeout for `a`: the cache's estimate (smoothed RTT plus variance, backed off
// after timeouts) or the initial timeout, clamped to [kMinTimeout, max_timeout].
std::chrono::milliseconds server_timeout(const Address& a, CacheAccess& cache,
                                         const EngineConfig& cfg, MonoInstant now);

}  // namespace tern::engine
