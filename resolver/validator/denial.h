// The result of an NSEC or NSEC3 denial-of-existence proof (nsec_proof.h, nsec3_proof.h).
#pragma once

#include <optional>

#include "resolver/validator/security_status.h"
#include "wire/name.h"

namespace tern::validator {

struct DenialResult {
  // Secure: proven. Insecure: proven unsigned delegation (ProvenInsecure), NSEC3 opt-out span
  // (OptOut) or NSEC3 iterations above the limit. Bogus: the records do not prove it.
  ValidationResult result;
  // The closest encloser the proof established, when it established one (NXDOMAIN, wildcard
  // NODATA, opt-out), so a caller can check a wildcard or cache the proof.
  std::optional<wire::Name> closest_encloser;
  // NSEC3 only: the record covering the next closer name has the opt-out flag. An NXDOMAIN or
  // wildcard answer proven this way may hide an unsigned delegation (RFC 5155 §7.2.1), so the
  // caller should not set AD on it.
  bool opt_out = false;
};

}  // namespace tern::validator
