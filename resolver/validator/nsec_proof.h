// Denial of existence with NSEC (RFC 4035 §5.4, RFC 4034 §4, RFC 6840 §4): pure functions over
// NSEC RRsets the caller has already verified. Each RRset is one NSEC record (owner + RDATA).
#pragma once

#include <span>

#include "resolver/validator/denial.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::validator {

// NXDOMAIN: an NSEC covers qname and an NSEC covers the wildcard at its closest encloser.
DenialResult nsec_prove_nxdomain(const wire::Name& qname, std::span<const wire::RRset> nsecs);

// NODATA: an NSEC at qname without qtype or CNAME (parent-side NSECs may only deny DS, child-side
// ones anything but DS), or qname is an empty non-terminal, or (wildcard NODATA) qname is
// covered and the wildcard at the closest encloser exists without qtype.
DenialResult nsec_prove_nodata(const wire::Name& qname, wire::RRType qtype,
                               std::span<const wire::RRset> nsecs);

// A positive answer synthesised from `wildcard` (from the RRSIG labels, rrset_verify.h): qname
// itself does not exist and no name between it and the wildcard's parent does.
DenialResult nsec_prove_wildcard_answer(const wire::Name& qname, const wire::Name& wildcard,
                                        std::span<const wire::RRset> nsecs);

// A referral without DS: the NSEC at the delegation has NS, and neither DS nor SOA. Result is
// Insecure(ProvenInsecure) when proven.
DenialResult nsec_prove_insecure_delegation(const wire::Name& delegation,
                                            std::span<const wire::RRset> nsecs);

}  // namespace tern::validator
