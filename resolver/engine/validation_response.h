// DNSSEC validation of one classified upstream response, once the keys of every zone it needs are
// known (iterator_validate.cpp fetches them first). Pure: no cache, no I/O; the library in
// resolver/validator does the cryptography and the proofs. Marks each RRset of the response with
// its status (and caps TTLs, RFC 4035 §5.3.3) and returns the verdict of the whole response.
#pragma once

#include <functional>
#include <vector>

#include "resolver/engine/failure.h"
#include "resolver/engine/key_cache.h"
#include "resolver/engine/response_classifier.h"
#include "resolver/validator/security_status.h"
#include "resolver/validator/validation_budget.h"

namespace tern::engine {

// The worse of two statuses for a whole answer: Bogus, then Indeterminate, then Insecure, then
// Secure (AD needs every part Secure; SERVFAIL needs one part Bogus).
validator::Security worst(validator::Security a, validator::Security b);

struct ResponseVerdict {
  validator::Security security = validator::Security::Secure;
  validator::Reason reason = validator::Reason::None;
  void add(validator::Security s, validator::Reason r);
};

// The zone whose keys sign `rrset`: the signer of its first RRSIG that is an ancestor of the
// owner (and, for DS, a strict one), else `server_zone` (the zone of the server that sent it).
wire::Name signing_zone(const wire::RRset& rrset, const wire::Name& server_zone);

// Every zone whose keys validate_response will ask for.
std::vector<wire::Name> zones_needed(const Classified& c, const wire::Name& server_zone);

struct ResponseContext {
  wire::Name server_zone;      // the zone the server was asked as
  wire::RRType qtype = wire::RRType::A;
  uint32_t now = 0;            // wall clock, seconds (RRSIG validity)
  uint32_t bogus_ttl = 60;     // bogus RRsets are cached no longer than this
};

// `keys(zone)` is never null for a zone of zones_needed().
ResponseVerdict validate_response(Classified& c, const ResponseContext& ctx,
                                  const std::function<const ZoneKeys*(const wire::Name&)>& keys,
                                  validator::ValidationBudget& budget);

// The Failure a bogus verdict becomes for the client (its EDE, RFC 8914).
Failure bogus_failure(validator::Reason r);

}  // namespace tern::engine
