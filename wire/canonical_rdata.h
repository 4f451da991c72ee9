// Canonical RR form for DNSSEC (RFC 4034 §6.2): the RDATA of the types whose embedded names are
// signed in lowercase. Kept in wire/ beside the RDATA layouts it walks; no I/O, no clock.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wire/rr_type.h"

namespace tern::wire {

// True for the types of RFC 4034 §6.2 item 3 as corrected by RFC 6840 §5.1 (NSEC's next name
// keeps its case): NS MD MF CNAME SOA MB MG MR PTR MINFO MX RP AFSDB RT SIG PX NXT NAPTR KX SRV
// DNAME RRSIG. (A6 is obsolete and left as received.)
bool rdata_names_lowercased_for_dnssec(RRType type);

// `rdata` (canonical, i.e. uncompressed) with the embedded names of those types lowercased;
// other types are returned unchanged. RDATA whose structure does not match its type is returned
// unchanged (a signature over it will simply not verify).
std::vector<uint8_t> dnssec_canonical_rdata(RRType type, std::span<const uint8_t> rdata);

}  // namespace tern::wire
