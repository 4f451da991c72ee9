#include "resolver/validator/security_status.h"

namespace tern::validator {

std::string_view to_string(Security s) {
  switch (s) {
    case Security::Secure: return "secure";
    case Security::Insecure: return "insecure";
    case Security::Bogus: return "bogus";
    case Security::Indeterminate: return "indeterminate";
  }
  return "unknown";
}

std::string_view to_string(Reason r) {
  switch (r) {
    case Reason::None: return "none";
    case Reason::SignatureInvalid: return "signature-invalid";
    case Reason::SignatureExpired: return "signature-expired";
    case Reason::SignatureNotYetValid: return "signature-not-yet-valid";
    case Reason::RrsigsMissing: return "rrsigs-missing";
    case Reason::DnskeyMissing: return "dnskey-missing";
    case Reason::NsecMissing: return "nsec-missing";
    case Reason::ProofInvalid: return "proof-invalid";
    case Reason::BadRrsig: return "bad-rrsig";
    case Reason::BudgetExhausted: return "budget-exhausted";
    case Reason::UnsupportedAlgorithm: return "unsupported-algorithm";
    case Reason::UnsupportedDigest: return "unsupported-digest";
    case Reason::Nsec3IterationsTooHigh: return "nsec3-iterations-too-high";
    case Reason::OptOut: return "opt-out";
    case Reason::ProvenInsecure: return "proven-insecure";
  }
  return "unknown";
}

std::optional<uint16_t> ede_code(Reason r) {
  switch (r) {
    case Reason::UnsupportedAlgorithm: return 1;
    case Reason::UnsupportedDigest: return 2;
    case Reason::SignatureInvalid:
    case Reason::ProofInvalid:
    case Reason::BadRrsig:
    case Reason::BudgetExhausted: return 6;
    case Reason::SignatureExpired: return 7;
    case Reason::SignatureNotYetValid: return 8;
    case Reason::DnskeyMissing: return 9;
    case Reason::RrsigsMissing: return 10;
    case Reason::NsecMissing: return 12;
    case Reason::Nsec3IterationsTooHigh: return 27;
    case Reason::None:
    case Reason::OptOut:
    case Reason::ProvenInsecure: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace tern::validator
