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
// Wall time a client question may take before SERVFAIL.
constexpr milliseconds kResolveDeadline{5000};
// First timeout for a server we know nothing about; doubles per consecutive timeout up to the max.
constexpr milliseconds kInitialTimeout{400};
constexpr milliseconds kMaxTimeout{3000};
constexpr milliseconds kMinTimeout{50};
// Attempts against one server address within one delegation (timeouts/failures) before giving up
// on it for this question.
constexpr uint32_t kMaxAttemptsPerServer = 2;
// EDNS0 buffer size advertised upstream (DNS flag day 2020).
constexpr uint16_t kEdnsBufferSize = 1232;

}  // namespace tern::engine
