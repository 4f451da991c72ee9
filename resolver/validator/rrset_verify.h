// Verify one RRset against its RRSIGs and a trusted DNSKEY set (RFC 4035 §5.3), within the
// query's budget (KeyTrap: at most kMaxRrsigsPerRrset RRSIGs considered per RRset).
#pragma once

#include <cstdint>
#include <optional>

#include "resolver/validator/security_status.h"
#include "resolver/validator/validation_budget.h"
#include "wire/rrset.h"

namespace tern::validator {

struct RrsetVerdict {
  ValidationResult result;
  // Secure only: the wildcard the RRset was synthesised from (the caller must prove no closer
  // match with NSEC/NSEC3), and the TTL capped by original TTL and expiry (RFC 4035 §5.3.3).
  std::optional<wire::Name> wildcard;
  uint32_t ttl = 0;
  uint16_t key_tag = 0;  // the key whose signature verified
};

// `rrsigs` is the RRSIG RRset at the RRset's owner (only those covering rrset.type are used);
// `dnskeys` the zone's already trusted DNSKEY RRset, owned by `zone`. `now` is wall-clock
// seconds truncated to 32 bits.
RrsetVerdict verify_rrset(const wire::RRset& rrset, const wire::RRset& rrsigs,
                          const wire::RRset& dnskeys, const wire::Name& zone, uint32_t now,
                          ValidationBudget& budget);

}  // namespace tern::validator
