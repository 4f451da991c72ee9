// RRSIG checks without crypto: RFC 1982 serial arithmetic, the window, TTL capping.
#include <catch2/catch.hpp>

#include "resolver/validator/rrsig_check.h"

using namespace tern::validator;

TEST_CASE("serial arithmetic on 32-bit times (RFC 1982)", "[rrsig_check]") {
  CHECK(serial_before(1, 2));
  CHECK_FALSE(serial_before(2, 1));
  CHECK_FALSE(serial_before(5, 5));
  CHECK(serial_before(0xfffffff0u, 0x10));  // across the wrap (2106)
  CHECK_FALSE(serial_before(0x10, 0xfffffff0u));
}

TEST_CASE("validity window with skew, across the 2106 wrap", "[rrsig_check]") {
  RrsigData s;
  s.inception = 1000000;
  s.expiration = 2000000;
  CHECK(check_validity_window(s, 1500000, 0) == TimeCheck::Valid);
  CHECK(check_validity_window(s, 999999, 0) == TimeCheck::NotYetValid);
  CHECK(check_validity_window(s, 2000001, 0) == TimeCheck::Expired);
  CHECK(check_validity_window(s, 999999, 10) == TimeCheck::Valid);
  CHECK(check_validity_window(s, 2000001, 10) == TimeCheck::Valid);
  CHECK(check_validity_window(s, 2000000 + kSignatureClockSkew + 1) == TimeCheck::Expired);
  s.inception = 0xffff0000u;
  s.expiration = 0x00010000u;  // signed just before 2106, expiring just after
  CHECK(check_validity_window(s, 0xfffffff0u, 0) == TimeCheck::Valid);
  CHECK(check_validity_window(s, 0x00000010u, 0) == TimeCheck::Valid);
  CHECK(check_validity_window(s, 0x00020000u, 0) == TimeCheck::Expired);
}

TEST_CASE("TTL capping (RFC 4035 §5.3.3)", "[rrsig_check]") {
  RrsigData s;
  s.original_ttl = 3600;
  s.expiration = 10000;
  CHECK(capped_ttl(7200, s, 1000) == 3600);  // original TTL
  CHECK(capped_ttl(60, s, 1000) == 60);      // received TTL
  CHECK(capped_ttl(7200, s, 9000) == 1000);  // time left
  CHECK(capped_ttl(7200, s, 10000) == 0);
  CHECK(capped_ttl(7200, s, 20000) == 0);
}
