// Trusting a zone's DNSKEY RRset (RFC 4035 §5.2): some DNSKEY matches a DS from the parent (or a
// configured trust anchor, in DS or DNSKEY form) and signs the DNSKEY RRset itself.
#pragma once

#include <cstdint>

#include "resolver/validator/rrset_verify.h"
#include "resolver/validator/security_status.h"
#include "resolver/validator/validation_budget.h"
#include "wire/rrset.h"

namespace tern::validator {

// `ds` is the validated DS RRset for the zone (owner = the DNSKEYs' owner). Insecure when every
// DS uses an unsupported algorithm (Reason::UnsupportedAlgorithm) or digest
// (Reason::UnsupportedDigest), as RFC 4035 §5.2 and RFC 6840 §5.2 say; Bogus(DnskeyMissing) when
// no DNSKEY matches a usable DS. SHA-1 DS records are ignored when a SHA-256 or SHA-384 DS is
// present (RFC 4509 §3).
RrsetVerdict validate_dnskeys_with_ds(const wire::RRset& dnskeys, const wire::RRset& rrsigs,
                                      const wire::RRset& ds, uint32_t now,
                                      ValidationBudget& budget);

// Trust anchor in DNSKEY form: some key of `anchor_keys` is in the DNSKEY RRset and signs it.
RrsetVerdict validate_dnskeys_with_keys(const wire::RRset& dnskeys, const wire::RRset& rrsigs,
                                        const wire::RRset& anchor_keys, uint32_t now,
                                        ValidationBudget& budget);

}  // namespace tern::validator
