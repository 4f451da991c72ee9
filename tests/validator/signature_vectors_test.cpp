// Published signature vectors, typed from the RFCs: RFC 5702 §6 (RSA/SHA-256, RSA/SHA-512),
// RFC 6605 §6 (ECDSA P-256, P-384; signatures are randomised, the published ones still verify),
// RFC 8080 §6 as corrected by erratum 4935 (Ed25519, Ed448: the printed RRSIGs lack the
// algorithm and count the root as a label; the erratum's records are the valid ones).
#include <catch2/catch.hpp>

#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/rrset_verify.h"
#include "resolver/validator/signature_verify.h"
#include "test_records.h"

using namespace tern;
using namespace tern::validator;
using tern::validator::test::name;
using tern::validator::test::rrset;

namespace {

RrsetVerdict check(const wire::RRset& data, const wire::RRset& key, const wire::RRset& sig,
                   std::string_view zone, uint32_t now) {
  ValidationBudget budget;
  return verify_rrset(data, sig, key, name(zone), now, budget);
}

constexpr uint32_t k2014 = 1400000000;      // inside 2000-01-01 .. 2030-01-01
constexpr uint32_t k20100820 = 1282262400;  // inside the RFC 6605 windows
constexpr uint32_t k2015 = 1439000000;      // inside the RFC 8080 window

constexpr const char* kRfc5702A = "www.example.net. 3600 IN A 192.0.2.91";

}  // namespace

TEST_CASE("RFC 5702 §6.1: RSA/SHA-256 (512-bit key, tag 9033)", "[vectors]") {
  auto key = rrset({"example.net. 3600 IN DNSKEY 256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pex"
                    "PGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk="});
  auto sig = rrset({"www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 "
                    "example.net. kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mw"
                    "lMgNEacFYK/lPtPiVYP4bwg=="});
  auto a = rrset({kRfc5702A});
  auto v = check(a, key, sig, "example.net.", k2014);
  CHECK(v.result == ValidationResult::secure());
  CHECK(v.key_tag == 9033);
  CHECK_FALSE(v.wildcard);

  // One address changed: the signature no longer covers the data.
  auto other = rrset({"www.example.net. 3600 IN A 192.0.2.92"});
  CHECK(check(other, key, sig, "example.net.", k2014).result ==
        ValidationResult::bogus(Reason::SignatureInvalid));
  // Owner case and received TTL do not matter (RFC 4034 §6.2, §3.1.8.1: original TTL signed).
  auto loud = rrset({"WWW.Example.NET. 17 IN A 192.0.2.91"});
  auto loud_v = check(loud, key, sig, "example.net.", k2014);
  CHECK(loud_v.result == ValidationResult::secure());
  CHECK(loud_v.ttl == 17);
}

TEST_CASE("RFC 5702 §6.2: RSA/SHA-512 (1024-bit key, tag 3740)", "[vectors]") {
  auto key = rrset({"example.net. 3600 IN DNSKEY 256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVX"
                    "XyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVs"
                    "Mu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL"});
  auto sig = rrset({"www.example.net. 3600 IN RRSIG A 10 3 3600 20300101000000 20000101000000 3740 "
                    "example.net. tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDts"
                    "uJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm"
                    "9Sa9ZXIbNl1MBGk0fthPgxdDLw="});
  auto v = check(rrset({kRfc5702A}), key, sig, "example.net.", k2014);
  CHECK(v.result == ValidationResult::secure());
  CHECK(v.key_tag == 3740);
}

TEST_CASE("RFC 6605 §6.1: ECDSA P-256 with SHA-256 (tag 55648)", "[vectors]") {
  auto key = rrset({"example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6"
                    "edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="});
  auto sig = rrset({"www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 "
                    "example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLB"
                    "LlUzGGus7ZwmwWep666VCw=="});
  auto a = rrset({"www.example.net. 3600 IN A 192.0.2.1"});
  CHECK(check(a, key, sig, "example.net.", k20100820).result == ValidationResult::secure());
  // After the window (plus skew) the same signature is expired; before it, not yet valid.
  CHECK(check(a, key, sig, "example.net.", 1293840000).result ==
        ValidationResult::bogus(Reason::SignatureExpired));
  CHECK(check(a, key, sig, "example.net.", 1280000000).result ==
        ValidationResult::bogus(Reason::SignatureNotYetValid));
}

TEST_CASE("RFC 6605 §6.2: ECDSA P-384 with SHA-384 (tag 10771)", "[vectors]") {
  auto key = rrset({"example.net. 3600 IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBV"
                    "Sum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/"
                    "qTI37m40"});
  auto sig = rrset({"www.example.net. 3600 IN RRSIG A 14 3 3600 20100909102025 20100812102025 10771 "
                    "example.net. /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFax"
                    "sT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm"});
  auto a = rrset({"www.example.net. 3600 IN A 192.0.2.1"});
  auto v = check(a, key, sig, "example.net.", k20100820);
  CHECK(v.result == ValidationResult::secure());
  CHECK(v.key_tag == 10771);
}

TEST_CASE("RFC 8080 §6.1 (erratum 4935): Ed25519 (tags 3613, 35217)", "[vectors]") {
  auto mx = rrset({"example.com. 3600 IN MX 10 mail.example.com."});
  auto key1 = rrset({"example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="});
  auto sig1 = rrset({"example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. "
                     "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3f x8A4M3e23mRZ9VrbpMngwcrqNAg=="});
  auto key2 = rrset({"example.com. 3600 IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs="});
  auto sig2 = rrset({"example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 35217 example.com. "
                     "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQ oSm5poJ7gD7AQR0O7KuI5k2pcBg=="});
  CHECK(check(mx, key1, sig1, "example.com.", k2015).result == ValidationResult::secure());
  CHECK(check(mx, key2, sig2, "example.com.", k2015).result == ValidationResult::secure());
  // Each key verifies only its own signature: with the other key there is no key of that tag.
  CHECK(check(mx, key2, sig1, "example.com.", k2015).result ==
        ValidationResult::bogus(Reason::DnskeyMissing));
}

TEST_CASE("RFC 8080 §6.2 (erratum 4935): Ed448 (tags 9713, 38353)", "[vectors]") {
  auto mx = rrset({"example.com. 3600 IN MX 10 mail.example.com."});
  auto key1 = rrset({"example.com. 3600 IN DNSKEY 257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx "
                     "1FYYUcJKm1MDpJtIA"});
  auto sig1 = rrset({"example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 9713 example.com. "
                     "3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0am xWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07+4RQvE581N3Aj/ "
                     "JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA"});
  auto key2 = rrset({"example.com. 3600 IN DNSKEY 257 3 16 kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcN "
                     "Lp5HlHAMy12VoISsA"});
  auto sig2 = rrset({"example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 38353 example.com. "
                     "E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57C SnZqjJP41O/9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT9kuAICUSxv5OWbf81 "
                     "Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA"});
  auto v1 = check(mx, key1, sig1, "example.com.", k2015);
  CHECK(v1.result == ValidationResult::secure());
  CHECK(v1.key_tag == 9713);
  CHECK(check(mx, key2, sig2, "example.com.", k2015).result == ValidationResult::secure());
}

TEST_CASE("RFC 8080 as printed: labels 3 counts the root, so the signature fails", "[vectors]") {
  // The original §6.1 RRSIG (algorithm field restored): the signer computed labels = 3 for
  // example.com., which claims more labels than the owner has and cannot cover it.
  auto mx = rrset({"example.com. 3600 IN MX 10 mail.example.com."});
  auto key = rrset({"example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="});
  auto sig = rrset({"example.com. 3600 IN RRSIG MX 15 3 3600 1440021600 1438207200 3613 example.com. "
                    "Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg=="});
  CHECK(check(mx, key, sig, "example.com.", k2015).result ==
        ValidationResult::bogus(Reason::BadRrsig));
}

TEST_CASE("verify_signature reports unsupported algorithms and malformed keys", "[vectors]") {
  std::vector<uint8_t> data = {1, 2, 3}, sig(64, 0), key(32, 0);
  CHECK(verify_signature(3, key, data, sig) == SignatureCheck::UnsupportedAlgorithm);   // DSA
  CHECK(verify_signature(12, key, data, sig) == SignatureCheck::UnsupportedAlgorithm);  // GOST
  CHECK(verify_signature(253, key, data, sig) == SignatureCheck::UnsupportedAlgorithm);
  CHECK(verify_signature(13, std::vector<uint8_t>(63, 1), data, sig) == SignatureCheck::BadKey);
  CHECK(verify_signature(15, std::vector<uint8_t>(31, 1), data, sig) == SignatureCheck::BadKey);
  CHECK(verify_signature(8, std::vector<uint8_t>{}, data, sig) == SignatureCheck::BadKey);
  CHECK(verify_signature(8, std::vector<uint8_t>{0, 0}, data, sig) == SignatureCheck::BadKey);
  CHECK(verify_signature(8, std::vector<uint8_t>{5, 1, 0, 1}, data, sig) == SignatureCheck::BadKey);
}
