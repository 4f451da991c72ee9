// Reasons map to the RFC 8914 Extended DNS Error codes a later stage sends to clients.
#include <catch2/catch.hpp>

#include "resolver/validator/security_status.h"

using namespace tern::validator;

TEST_CASE("reasons map to RFC 8914 info-codes", "[security_status]") {
  CHECK(ede_code(Reason::UnsupportedAlgorithm) == 1);
  CHECK(ede_code(Reason::UnsupportedDigest) == 2);
  CHECK(ede_code(Reason::SignatureInvalid) == 6);
  CHECK(ede_code(Reason::ProofInvalid) == 6);
  CHECK(ede_code(Reason::BudgetExhausted) == 6);
  CHECK(ede_code(Reason::SignatureExpired) == 7);
  CHECK(ede_code(Reason::SignatureNotYetValid) == 8);
  CHECK(ede_code(Reason::DnskeyMissing) == 9);
  CHECK(ede_code(Reason::RrsigsMissing) == 10);
  CHECK(ede_code(Reason::NsecMissing) == 12);
  CHECK(ede_code(Reason::Nsec3IterationsTooHigh) == 27);
  CHECK_FALSE(ede_code(Reason::None));
  CHECK_FALSE(ede_code(Reason::ProvenInsecure));
  CHECK(to_string(Security::Bogus) == "bogus");
  CHECK(to_string(Reason::SignatureExpired) == "signature-expired");
  CHECK(ValidationResult::bogus(Reason::NsecMissing).is_bogus());
  CHECK_FALSE(ValidationResult::insecure(Reason::OptOut).is_secure());
}
