// Denial of existence with NSEC3 (RFC 5155 §8, RFC 9276): pure functions over NSEC3 RRsets the
// caller has already verified, all from `zone`. Hashing spends the query's budget.
#pragma once

#include <span>

#include "resolver/validator/denial.h"
#include "resolver/validator/validation_budget.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::validator {

// Every function first picks the NSEC3 parameters (those of the first usable record; records
// with other parameters, unknown flags or a hash other than SHA-1 are ignored, §8.2) and returns
// Insecure(Nsec3IterationsTooHigh) when the iterations exceed kMaxNsec3Iterations, before any
// hashing. Bogus(BudgetExhausted) when the hash budget runs out.

// Closest encloser proof (§8.3): the closest encloser matches a record and the next closer name
// is covered. Secure with closest_encloser set (and opt_out from the covering record).
DenialResult nsec3_closest_encloser(const wire::Name& qname, const wire::Name& zone,
                                    std::span<const wire::RRset> nsec3s, ValidationBudget& budget);

// NXDOMAIN (§8.4): closest encloser proof plus a record covering the wildcard at it.
DenialResult nsec3_prove_nxdomain(const wire::Name& qname, const wire::Name& zone,
                                  std::span<const wire::RRset> nsec3s, ValidationBudget& budget);

// NODATA (§8.5, §8.6, §8.7): a record matching qname without qtype and CNAME; for DS without a
// match, an opt-out span covering the next closer name (Insecure(OptOut)); otherwise the wildcard
// at the closest encloser exists without qtype.
DenialResult nsec3_prove_nodata(const wire::Name& qname, wire::RRType qtype,
                                const wire::Name& zone, std::span<const wire::RRset> nsec3s,
                                ValidationBudget& budget);

// Wildcard answer (§8.8): the next closer name below the wildcard's parent is covered.
DenialResult nsec3_prove_wildcard_answer(const wire::Name& qname, const wire::Name& wildcard,
                                         const wire::Name& zone,
                                         std::span<const wire::RRset> nsec3s,
                                         ValidationBudget& budget);

// Referral without DS (§8.9): a record matching the delegation with NS and neither DS nor SOA
// (Insecure(ProvenInsecure)), or an opt-out record covering its next closer name
// (Insecure(OptOut)).
DenialResult nsec3_prove_insecure_delegation(const wire::Name& delegation, const wire::Name& zone,
                                             std::span<const wire::RRset> nsec3s,
                                             ValidationBudget& budget);

}  // namespace tern::validator
