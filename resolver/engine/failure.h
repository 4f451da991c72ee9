// Why a resolution failed, and the one function that maps a failure to what the client sees.
#pragma once

#include <optional>
#include <string_view>

#include "resolver/engine/world.h"
#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::engine {

enum class Failure : uint8_t {
  AllServersFailed,   // every server of a delegation timed out, failed or was lame
  NoUsableServers,    // a delegation without any address we may send to
  NotAllowed,         // every server address was outside the upstream allow-list
  UpstreamBudget,     // max_upstream_queries reached
  Deadline,           // resolve_deadline passed
  CnameChainTooLong,  // max_cname_chain reached
  CnameLoop,          // a CNAME/DNAME chain came back to a name already seen
  ReferralDepth,      // max_referral_depth reached
  GluelessLimit,      // max_glueless_per_delegation reached and nothing else to try
  SubqueryDepth,      // child queries nested too deeply, or a child for a question an ancestor asks
  PrimingFailed,      // no root NS set after priming
  BadRootHints,       // root hints text unusable
  Overloaded,         // max_in_flight resolutions already running on this engine
  ServersDown,        // every server of a delegation is known down (infra backoff), none to probe
  FetchLimit,         // fetches-per-zone / fetches-per-server reached for what is left to ask
  RecentFailure,      // the same question failed moments ago (RFC 9520 failure cache)
  // DNSSEC validation said bogus (docs/dnssec.md), by the most telling reason (RFC 8914 6-12).
  DnssecBogus,                 // a signature or a proof did not verify (EDE 6)
  DnssecSignatureExpired,      // EDE 7
  DnssecSignatureNotYetValid,  // EDE 8
  DnssecDnskeyMissing,         // no key of the zone matches its DS or the RRSIGs (EDE 9)
  DnssecRrsigsMissing,         // a signed zone sent data without RRSIG (EDE 10)
  DnssecNsecMissing,           // a signed zone denied without (valid) NSEC/NSEC3 (EDE 12)
  AllServersLame,     // every server of a delegation answered lame or REFUSED (not authoritative)
  NetworkError,       // every server of a delegation failed with a network error (unreachable,
                      // connection refused), none timed out or answered
  Internal,           // a response we built could not be parsed again etc.
};

std::string_view to_string(Failure f);

// Why and where a resolution failed, for the operator: EDE EXTRA-TEXT, log-servfail and
// `ternd control trace` (docs/operations.md, "Debugging a SERVFAIL"). The reason is the first
// failure (for an answer from the failure cache, the one the cache kept), the zone the one whose
// servers were being asked, the server the last one asked, if any.
struct FailureInfo {
  Failure reason = Failure::Internal;
  wire::Name zone;                // the root when the failure came before any delegation
  std::optional<Address> server;  // none when nothing was sent for the failing task
};

// Failures that say something about the question or its servers, kept by the failure cache. Not
// the ones about this resolver's own state (overload, quotas, a bug) or the failure cache itself.
bool remembered(Failure f);

// The single place internal failures become a client rcode. Every failure is SERVFAIL today
// (RFC 1035: the name server was unable to process the query); the function exists so a future
// policy (e.g. REFUSED for NotAllowed) changes one line.
wire::Rcode client_rcode(Failure f);

}  // namespace tern::engine
