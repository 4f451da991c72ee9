// The checks on an RRSIG that need no cryptography (RFC 4035 §5.3.1, §5.3.3): validity window
// with clock skew, the labels field and wildcard expansion, and the TTL a validated RRset keeps.
#pragma once

#include <cstdint>
#include <optional>

#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/security_status.h"
#include "resolver/validator/validation_budget.h"
#include "wire/rrset.h"

namespace tern::validator {

// RFC 1982 serial arithmetic on 32-bit times: a is before b. (Equal is not before.)
bool serial_before(uint32_t a, uint32_t b);

enum class TimeCheck : uint8_t { Valid, Expired, NotYetValid };

// `now` is seconds since the epoch, truncated to 32 bits by the caller; `skew` widens the window
// on both ends. Serial arithmetic makes the check correct across 2106.
TimeCheck check_validity_window(const RrsigData& rrsig, uint32_t now,
                                uint32_t skew = kSignatureClockSkew);

// The part of an RRSIG's applicability that is about names (RFC 4035 §5.3.1): the signer is the
// zone being validated, the owner is at or below it, type and class match, and the labels field
// is at most the owner's label count. Returns nullopt when the RRSIG cannot cover `rrset`.
struct RrsigMatch {
  // Set when the RRset was synthesised from a wildcard (labels < owner labels): the wildcard
  // "source of synthesis", e.g. *.example.com. for a.b.example.com. with labels 2. The caller
  // must then prove that no closer name exists (RFC 4035 §5.3.4).
  std::optional<wire::Name> wildcard;
};
std::optional<RrsigMatch> check_rrsig_applies(const wire::RRset& rrset, const RrsigData& rrsig,
                                              const wire::Name& zone);

// RFC 4035 §5.3.3: the TTL of a validated RRset is at most the RRSIG's original TTL and at most
// the seconds left until the signature expires.
uint32_t capped_ttl(uint32_t received_ttl, const RrsigData& rrsig, uint32_t now);

}  // namespace tern::validator
