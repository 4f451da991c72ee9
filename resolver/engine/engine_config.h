// EngineConfig: what the engine can be told. ternd fills it from resolver/config/config.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "resolver/engine/limits.h"
#include "resolver/engine/validation_config.h"
#include "resolver/engine/world.h"
#include "resolver/engine/zone_routes.h"
#include "wire/rr_type.h"

namespace tern::engine {

struct EngineConfig {
  bool qname_minimisation = true;  // RFC 9156, relaxed mode
  // QTYPE of minimised queries. RFC 9156 §2.1 allows NS or A; NS is what Knot Resolver and the
  // Deckard scenarios use, and a referral answers it directly.
  wire::RRType minimise_qtype = wire::RRType::NS;
  bool ipv6 = true;                // false: never send to IPv6 servers, do not fetch AAAA glue
  // Upstream allow-list. Empty: every global address is allowed. Loopback and private addresses
  // are refused unless a network here contains them (as Unbound's do-not-query-localhost).
  std::vector<Cidr> upstream_allow;
  // Forward and stub zones ([[forward-zone]], [[stub-zone]]); null = none. Replaced at run time
  // by Engine::set_zone_routes (SIGHUP).
  ZoneRoutesPtr zone_routes;
  // Root hints in zone-file text; empty = tern::compiled_root_hints().
  std::string root_hints_text;
  // Port the root hints' servers (and every server learned from glue) listen on. 53 in production;
  // tests and the lab may change it.
  uint16_t upstream_port = 53;
  bool prefetch = true;
  bool serve_stale = true;

  uint32_t max_cname_chain = kMaxCnameChain;
  uint32_t max_glueless_per_delegation = kMaxGluelessPerDelegation;
  uint32_t max_upstream_queries = kMaxUpstreamQueries;
  uint32_t max_referral_depth = kMaxReferralDepth;
  uint32_t max_subquery_depth = kMaxSubqueryDepth;
  uint32_t max_attempts_per_server = kMaxAttemptsPerServer;
  uint32_t max_in_flight = kMaxInFlight;
  uint32_t max_waiters_per_query = kMaxWaitersPerQuery;  // 0 = no cap
  uint32_t wait_limit = kWaitLimit;                       // 0 = no cap
  milliseconds discard_timeout = kDiscardTimeout;         // 0 = never discard
  milliseconds resolve_deadline = kResolveDeadline;
  milliseconds initial_timeout = kInitialTimeout;
  milliseconds max_timeout = kMaxTimeout;
  milliseconds min_timeout = kMinTimeout;
  uint32_t timeouts_before_down = kTimeoutsBeforeDown;
  std::chrono::seconds infra_backoff_base = kInfraBackoffBase;
  std::chrono::seconds infra_backoff_max = kInfraBackoffMax;
  std::chrono::seconds max_lame_ttl = kMaxLameTtl;
  uint32_t fetches_per_zone = kFetchesPerZone;      // 0: no limit
  uint32_t fetches_per_server = kFetchesPerServer;  // 0: no limit
  std::chrono::seconds failure_cache_min_ttl = kFailureCacheMinTtl;  // 0: no failure cache
  std::chrono::seconds failure_cache_max_ttl = kFailureCacheMaxTtl;
  uint16_t edns_buffer_size = kEdnsBufferSize;
  DnssecConfig dnssec;  // validation (off unless turned on; ternd turns it on by default)
};

}  // namespace tern::engine
