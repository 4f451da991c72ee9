// Canonical RR ordering and the data an RRSIG signs (RFC 4034 §3.1.8.1, §6).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "resolver/validator/dnssec_rdata.h"
#include "wire/rrset.h"

namespace tern::validator {

// The RDATAs of `rrset` in canonical form (embedded names lowercased for the RFC 4034 §6.2
// types), sorted as left-justified octet strings (§6.3), duplicates removed.
std::vector<std::vector<uint8_t>> canonical_rdatas(const wire::RRset& rrset);

// The owner name as it was signed: lowercased, and when the RRSIG labels field is smaller than
// the owner's label count, the wildcard "*." + the rightmost `labels` labels (§3.1.8.1).
// nullopt when labels exceeds the owner's label count (the RRSIG cannot cover this owner).
std::optional<wire::Name> signed_owner(const wire::Name& owner, uint8_t rrsig_labels);

// RRSIG_RDATA (without the signature, signer name lowercased) followed by every RR of the set in
// canonical form with the RRSIG's original TTL. nullopt when the labels field is impossible.
std::optional<std::vector<uint8_t>> signed_data(const wire::RRset& rrset, const RrsigData& rrsig);

}  // namespace tern::validator
