// Server selection and the timeout policy, in one module: which address of a delegation to ask
// next, how long to wait for it, and when a server counts as down. The server-state cache
// (cache/server_state_cache.h) only stores facts (smoothed RTT, counted timeouts, lame marks);
// every number that turns them into a decision is here, from EngineConfig (limits.h).
#pragma once

#include <chrono>
#include <optional>

#include "resolver/engine/cache_access.h"
#include "resolver/engine/delegation.h"
#include "resolver/engine/engine_config.h"
#include "resolver/engine/fetch_limits.h"

namespace tern::engine {

struct ServerChoice {
  Address address;
  bool probe = false;             // a down server whose backoff is over: this query probes it
  MonoInstant seen_last_timeout;  // for claim_probe
  uint32_t exponent = 0;          // counted timeouts when sent (record_timeout's sent_exponent)
};

// Why candidates were passed over, for the failure a task reports when nothing is left.
struct SelectionSkips {
  uint32_t down = 0;  // known down, backoff not over
  uint32_t busy = 0;  // at its fetches-per-server quota
};

// Best address of `dp` not used up for this question: lowest selection RTT from the server state
// cache (unknown servers at cache::kUnknownServerRtt), fewer attempts first, ties broken by the
// order of the NS set; a server whose backoff is over (a probe) only after every other. Lame
// servers for the zone are passed over only while a server that is not lame is left: lameness
// never leaves a zone with nothing to try. Deterministic on purpose: the tests assert the exact
// queries sent.
std::optional<ServerChoice> choose_server(const Delegation& dp, CacheAccess& cache,
                                          const EngineConfig& cfg, const FetchCounts& fetches,
                                          MonoInstant now, SelectionSkips* skips = nullptr);

// The server is down: cfg.timeouts_before_down counted timeouts, and its backoff period
// (infra_backoff_base doubling per further timeout, at most infra_backoff_max) is not over.
bool server_down(const cache::ServerInfo& info, const EngineConfig& cfg, MonoInstant now);
// Down by the count but its backoff is over: the next query may probe it.
bool server_probe_due(const cache::ServerInfo& info, const EngineConfig& cfg, MonoInstant now);

// Retransmission timeout: srtt + 4 * rttvar for a server with RTT samples, cfg.initial_timeout for
// one without, doubled per counted timeout, at most cfg.max_timeout. At least cfg.min_timeout for a
// server with a good history (kGoodRttSamples answers, no timeout since), else at least
// cfg.initial_timeout: a short floor for a server we barely know is how one stall under load
// becomes a SERVFAIL.
std::chrono::milliseconds server_timeout(const cache::ServerInfo& info, const EngineConfig& cfg);

}  // namespace tern::engine
