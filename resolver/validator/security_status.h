// The outcome of validating something (an RRset, a key set, a denial proof) as a value, with the
// reason a later stage needs to pick the RFC 8914 Extended DNS Error for the client.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "wire/rrset.h"

namespace tern::validator {

// RFC 4033 §5 / RFC 4035 §4.3 states. Indeterminate: no trust anchor covers the name. One type
// with the status a cached wire::RRset carries.
using Security = wire::Security;

// Why the status is not plainly Secure. Insecure results carry a reason too (an unsupported
// algorithm makes a zone insecure, and the client is told why through EDE 1/2/27).
enum class Reason : uint8_t {
  None,
  SignatureInvalid,        // no RRSIG verified with any matching key
  SignatureExpired,        // the only RRSIGs left were past their expiration
  SignatureNotYetValid,    // the only RRSIGs left were before their inception
  RrsigsMissing,           // signed zone, no RRSIG covering the RRset
  DnskeyMissing,           // no DNSKEY matches the RRSIG key tag / algorithm / DS
  NsecMissing,             // no NSEC/NSEC3 records that prove the denial
  ProofInvalid,            // NSEC/NSEC3 records present but they prove something else
  BadRrsig,                // RRSIG malformed, labels field too large, signer out of zone
  BudgetExhausted,         // the per-query signature / NSEC3 hash budget ran out (KeyTrap)
  UnsupportedAlgorithm,    // every usable DS/DNSKEY/RRSIG uses an algorithm we do not implement
  UnsupportedDigest,       // every DS uses a digest type we do not implement
  Nsec3IterationsTooHigh,  // RFC 9276 §3.2: above kMaxNsec3Iterations -> insecure
  OptOut,                  // NSEC3 opt-out span: an unsigned delegation may exist there
  ProvenInsecure,          // NSEC/NSEC3 prove the delegation has no DS
};

std::string_view to_string(Security s);
std::string_view to_string(Reason r);

// RFC 8914 info-code for a reason: 1 Unsupported DNSKEY Algorithm, 2 Unsupported DS Digest Type,
// 6 DNSSEC Bogus, 7 Signature Expired, 8 Signature Not Yet Valid, 9 DNSKEY Missing, 10 RRSIGs
// Missing, 12 NSEC Missing, 27 Unsupported NSEC3 Iterations Value (RFC 9276). nullopt: none.
std::optional<uint16_t> ede_code(Reason r);

struct ValidationResult {
  Security security = Security::Indeterminate;
  Reason reason = Reason::None;

  static ValidationResult secure() { return {Security::Secure, Reason::None}; }
  static ValidationResult insecure(Reason r) { return {Security::Insecure, r}; }
  static ValidationResult bogus(Reason r) { return {Security::Bogus, r}; }
  static ValidationResult indeterminate() { return {Security::Indeterminate, Reason::None}; }
  bool is_secure() const { return security == Security::Secure; }
  bool is_bogus() const { return security == Security::Bogus; }
  friend bool operator==(const ValidationResult&, const ValidationResult&) = default;
};

}  // namespace tern::validator
