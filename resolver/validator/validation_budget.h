// Limits on the work one query may cause (KeyTrap, CVE-2023-50387; NSEC3 hash flooding,
// CVE-2023-50868) and the budget object a caller creates per query and passes to every check.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::validator {

// RRSIGs tried per RRset. Unbound validates at most 8 RRSIGs per RRset (MAX_VALIDATE_RRSIGS)
// before failing it; a legitimate RRset has one or two per algorithm during a rollover.
inline constexpr size_t kMaxRrsigsPerRrset = 8;
// Signature verifications per query, all RRsets together. PowerDNS Recursor's
// max-signature-validations-per-query defaults to 30.
inline constexpr size_t kMaxSignatureValidationsPerQuery = 30;
// NSEC3 hash computations per query. Unbound computes 8 (MAX_NSEC3_CALCULATIONS) and then
// suspends the query to let others run; PowerDNS Recursor's max-nsec3-hash-computations-per-query
// defaults to 600. Tern does not suspend validation, so it takes the per-query cap.
inline constexpr size_t kMaxNsec3HashesPerQuery = 600;
// NSEC3 iterations above which a proof is treated as insecure (RFC 9276 §3.2). Unbound and BIND
// used 150, newer releases lower it, and RFC 9276 asks signers for 0.
inline constexpr uint16_t kMaxNsec3Iterations = 150;
// Seconds of clock skew accepted on both ends of an RRSIG validity window (Unbound's
// val-sig-skew-min is 3600; its skew is 10% of the window, clamped between 1 hour and 1 day).
inline constexpr uint32_t kSignatureClockSkew = 3600;

// What one query may still spend. Passed by reference into every verification and proof; when a
// counter reaches zero the check that needed more work reports Bogus(BudgetExhausted).
class ValidationBudget {
 public:
  ValidationBudget() = default;
  ValidationBudget(size_t signatures, size_t nsec3_hashes)
      : signatures_(signatures), nsec3_hashes_(nsec3_hashes) {}

  // Takes one unit; false (and nothing taken) when none is left.
  bool take_signature() { return take(signatures_); }
  bool take_nsec3_hash() { return take(nsec3_hashes_); }
  size_t signatures_left() const { return signatures_; }
  size_t nsec3_hashes_left() const { return nsec3_hashes_; }

 private:
  static bool take(size_t& n) {
    if (n == 0) return false;
    --n;
    return true;
  }
  size_t signatures_ = kMaxSignatureValidationsPerQuery;
  size_t nsec3_hashes_ = kMaxNsec3HashesPerQuery;
};

}  // namespace tern::validator
