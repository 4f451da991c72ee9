// Every limit the engine enforces, in one place. Each is also a field of EngineConfig (so a config
// key), and each is counted per client query. Defaults follow what Unbound, PowerDNS and BIND ship
// and the advisories that motivated them.
#pragma once

#include <chrono>
#include <cstdint>

namespace tern::engine {

using std::chrono::milliseconds;

// CNAME/DNAME hops followed for one client question (BIND and Unbound use 11-ish; loops end here
// too even when not detected directly).
constexpr uint32_t kMaxCnameChain = 11;
// Name-server names without usable glue resolved per delegation (NXNSAttack, CVE-2020-12662).
constexpr uint32_t kMaxGluelessPerDelegation = 5;
// Upstream queries one client question may cause, child queries and retries included.
constexpr uint32_t kMaxUpstreamQueries = 100;
// Referrals followed for one client question (a chain of delegations deeper than this is a loop or
// an attack).
constexpr uint32_t kMaxReferralDepth = 30;
// Nesting of child queries (a glueless NS name whose own NS names are glueless...).
constexpr uint32_t kMaxSubqueryDepth = 6;
// QNAME minimisation: at most this many minimised queries per question (RFC 9156 MAX_MINIMISE_COUNT);
// the first kMinimiseOneLab labels are added one at a time (MINIMISE_ONE_LAB).
constexpr uint32_t kMaxMinimiseCount = 10;
constexpr uint32_t kMinimiseOneLab = 4;
// Resolutions one engine (one worker thread) runs at once; a question beyond it gets SERVFAIL at
// once instead of queueing without bound (Unbound's num-queries-per-thread).
constexpr uint32_t kMaxInFlight = 10000;
// Clients waiting on one resolution (identical questions merged into it). A question beyond it is
// dropped unanswered: DNSBomb (2024) sends many identical queries for a slow name with a victim's
// address and has the merged answer leave as one burst of replies. 1,000: Unbound 1.17 answered
// 1,001 of 5,000 such queries in issue #13's measurement; PowerDNS Recursor's max-chain-length
// caps the queries chained to one outgoing query in the same spirit.
constexpr uint32_t kMaxWaitersPerQuery = 1000;
// Questions from one client address (port ignored) waiting for resolutions at once, over every
// question; beyond it new ones are dropped. Unbound's wait-limit (1.21, default 1000).
constexpr uint32_t kWaitLimit = 1000;
// A merged waiter that has waited longer than this when its answer arrives gets nothing: the
// client has retried or given up, and a late answer only feeds a burst. Unbound's discard-timeout
// (1900 ms); unlike Unbound, the question that started the resolution is still answered.
constexpr milliseconds kDiscardTimeout{1900};
// Time (monotonic) a client question may take before SERVFAIL.
constexpr milliseconds kResolveDeadline{5000};

// The timeout policy (one owner: server_selection.cpp computes it from the server-state cache's
// facts). First timeout for a server we know nothing about: Unbound's UNKNOWN_SERVER_NICENESS.
// Each counted timeout doubles it, up to the max (Unbound's RTT_MAX_TIMEOUT is 120 s, but no
// single try may outlast our own resolve deadline anyway).
constexpr milliseconds kInitialTimeout{376};
constexpr milliseconds kMaxTimeout{3000};
// The floor (Unbound's RTT_MIN_TIMEOUT), only for a server with kGoodRttSamples answers and no
// timeout since; any other server is waited for at least kInitialTimeout.
constexpr milliseconds kMinTimeout{50};
constexpr uint32_t kGoodRttSamples = 3;
// Attempts against one server address within one round over a delegation's servers. When every
// server is used up and no name-server address is left to look up, a new round starts (with
// timeouts doubled by then) as long as the deadline and the query budget allow.
constexpr uint32_t kMaxAttemptsPerServer = 2;

// A server is down after kTimeoutsBeforeDown counted timeouts in a row (timeouts of queries sent
// together count once): it is not asked for kInfraBackoffBase, doubling per further timeout up to
// kInfraBackoffMax (Unbound's infra cache / PowerDNS's server-down throttle). When the period is
// over, one query probes it. A zone whose every server is down fails at once.
constexpr uint32_t kTimeoutsBeforeDown = 3;
constexpr std::chrono::seconds kInfraBackoffBase{5};
constexpr std::chrono::seconds kInfraBackoffMax{120};
// Lame marks (after repeated evidence, cache::kLameStrikes) last at most this long.
constexpr std::chrono::seconds kMaxLameTtl{900};

// Outstanding upstream queries one engine (one worker thread) may have towards one zone and one
// server address (BIND's fetches-per-zone / fetches-per-server). Past them new work for that zone
// or server fails at once instead of queueing. The per-server quota adapts (as BIND's does): it
// is divided by 4 for each counted timeout of the server, never below 1, so a healthy busy server
// keeps its full quota while a failing one is left a trickle. The zone quota is fixed and set
// high enough for a busy healthy zone (dnsperf's 100 outstanding of the benchmarks stay far below).
constexpr uint32_t kFetchesPerZone = 1000;
constexpr uint32_t kFetchesPerServer = 400;

// RFC 9520 failure cache: a question whose resolution failed is answered SERVFAIL (or stale data)
// without resolving for kFailureCacheMinTtl, doubling with each repeated failure up to
// kFailureCacheMaxTtl. RFC 9520 §3.2: at least 1 s, at most 5 min. 5 s is Unbound's NORR_TTL for
// a cached SERVFAIL.
constexpr std::chrono::seconds kFailureCacheMinTtl{5};
constexpr std::chrono::seconds kFailureCacheMaxTtl{300};
// EDNS0 buffer size advertised upstream (DNS flag day 2020).
constexpr uint16_t kEdnsBufferSize = 1232;

}  // namespace tern::engine
