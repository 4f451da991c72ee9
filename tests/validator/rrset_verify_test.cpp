// verify_rrset with keys the test generates through OpenSSL, for every supported algorithm:
// good signature, expired, not yet valid, wrong key, tampered data, and the KeyTrap limits.
#include <catch2/catch.hpp>

#include "resolver/validator/rrset_verify.h"
#include "test_records.h"
#include "test_signer.h"

using namespace tern;
using namespace tern::validator;
using namespace tern::validator::test;

namespace {
constexpr uint32_t kNow = 1700000000;
constexpr SigTimes kValid{kNow - 86400, kNow + 86400};
}  // namespace

TEST_CASE("generated keys: every supported algorithm signs and verifies", "[rrset_verify]") {
  auto zone = name("example.org.");
  auto data = rrset({"www.example.org. 300 IN A 192.0.2.1", "www.example.org. 300 IN A 192.0.2.2"});
  for (uint8_t alg : {5, 7, 8, 10, 13, 14, 15, 16}) {
    CAPTURE(int(alg));
    TestKey key(alg), other(alg);
    auto keys = dnskey_set(zone, {&key});
    auto sigs = rrsig_set(data.owner, {make_rrsig(data, key, zone, kValid)});
    ValidationBudget budget;
    auto v = verify_rrset(data, sigs, keys, zone, kNow, budget);
    CHECK(v.result == ValidationResult::secure());
    CHECK(v.key_tag == key.tag());
    CHECK(v.ttl == 300);
    CHECK(budget.signatures_left() == kMaxSignatureValidationsPerQuery - 1);

    // Tampered data: one address changed after signing.
    auto tampered = rrset({"www.example.org. 300 IN A 192.0.2.1", "www.example.org. 300 IN A 192.0.2.3"});
    CHECK(verify_rrset(tampered, sigs, keys, zone, kNow, budget).result ==
          ValidationResult::bogus(Reason::SignatureInvalid));

    // Wrong key with the same tag and algorithm would be a collision; a different key set gives
    // no key of that tag at all.
    auto wrong = dnskey_set(zone, {&other});
    if (other.tag() != key.tag()) {
      CHECK(verify_rrset(data, sigs, wrong, zone, kNow, budget).result ==
            ValidationResult::bogus(Reason::DnskeyMissing));
    }
    // Signed by `other` but claiming `key`'s tag: the key is tried and the signature fails.
    auto forged = make_rrsig(data, other, zone, kValid);
    forged[16] = uint8_t(key.tag() >> 8);
    forged[17] = uint8_t(key.tag());
    CHECK(verify_rrset(data, rrsig_set(data.owner, {forged}), keys, zone, kNow, budget).result ==
          ValidationResult::bogus(Reason::SignatureInvalid));
  }
}

TEST_CASE("validity window: expired and not yet valid, with skew", "[rrset_verify]") {
  auto zone = name("example.org.");
  auto data = rrset({"example.org. 300 IN TXT \"hello\""});
  TestKey key(13);
  auto keys = dnskey_set(zone, {&key});
  ValidationBudget budget;
  auto expired = rrsig_set(data.owner, {make_rrsig(data, key, zone, {kNow - 10 * 86400, kNow - 2 * 3600})});
  CHECK(verify_rrset(data, expired, keys, zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::SignatureExpired));
  auto future = rrsig_set(data.owner, {make_rrsig(data, key, zone, {kNow + 2 * 3600, kNow + 86400})});
  CHECK(verify_rrset(data, future, keys, zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::SignatureNotYetValid));
  // Within the skew allowance on either end: accepted.
  auto just_expired = rrsig_set(data.owner, {make_rrsig(data, key, zone, {kNow - 86400, kNow - 600})});
  CHECK(verify_rrset(data, just_expired, keys, zone, kNow, budget).result == ValidationResult::secure());
  auto nearly = rrsig_set(data.owner, {make_rrsig(data, key, zone, {kNow + 600, kNow + 86400})});
  CHECK(verify_rrset(data, nearly, keys, zone, kNow, budget).result == ValidationResult::secure());
  // An expired signature next to a good one: the good one wins.
  auto both = rrsig_set(data.owner, {make_rrsig(data, key, zone, {kNow - 10 * 86400, kNow - 2 * 3600}),
                                     make_rrsig(data, key, zone, kValid)});
  CHECK(verify_rrset(data, both, keys, zone, kNow, budget).result == ValidationResult::secure());
}

TEST_CASE("TTL is capped by the original TTL and by the time left", "[rrset_verify]") {
  auto zone = name("example.org.");
  auto data = rrset({"example.org. 86400 IN TXT \"x\""});
  TestKey key(15);
  auto keys = dnskey_set(zone, {&key});
  ValidationBudget budget;
  auto sigs = rrsig_set(data.owner, {make_rrsig(data, key, zone, {kNow - 100, kNow + 500})});
  auto v = verify_rrset(data, sigs, keys, zone, kNow, budget);
  REQUIRE(v.result == ValidationResult::secure());
  CHECK(v.ttl == 500);
}

TEST_CASE("wildcard expansion is detected from the labels field", "[rrset_verify]") {
  auto zone = name("example.org.");
  auto wild = rrset({"*.w.example.org. 300 IN A 192.0.2.7"});
  TestKey key(13);
  auto keys = dnskey_set(zone, {&key});
  auto sig = make_rrsig(wild, key, zone, kValid);  // labels 3
  auto expanded = rrset({"a.b.w.example.org. 300 IN A 192.0.2.7"});
  ValidationBudget budget;
  auto v = verify_rrset(expanded, rrsig_set(expanded.owner, {sig}), keys, zone, kNow, budget);
  REQUIRE(v.result == ValidationResult::secure());
  REQUIRE(v.wildcard);
  CHECK(*v.wildcard == name("*.w.example.org."));
  // The wildcard owner itself is not an expansion.
  auto self = verify_rrset(wild, rrsig_set(wild.owner, {sig}), keys, zone, kNow, budget);
  CHECK(self.result == ValidationResult::secure());
  CHECK_FALSE(self.wildcard);
}

TEST_CASE("RRSIG applicability: signer, type and owner", "[rrset_verify]") {
  auto zone = name("example.org.");
  auto data = rrset({"www.example.org. 300 IN A 192.0.2.1"});
  TestKey key(13);
  auto keys = dnskey_set(zone, {&key});
  ValidationBudget budget;
  // No RRSIG covering A at all.
  auto other_type = rrset({"www.example.org. 300 IN AAAA 2001:db8::1"});
  auto sigs = rrsig_set(data.owner, {make_rrsig(other_type, key, zone, kValid)});
  CHECK(verify_rrset(data, sigs, keys, zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::RrsigsMissing));
  // Signer is another zone.
  auto foreign = rrsig_set(data.owner, {make_rrsig(data, key, name("example.net."), kValid)});
  CHECK(verify_rrset(data, foreign, keys, zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::BadRrsig));
  // RRSIGs at another owner, or keys of another zone, are not used.
  auto elsewhere = rrsig_set(name("mail.example.org."), {make_rrsig(data, key, zone, kValid)});
  CHECK(verify_rrset(data, elsewhere, keys, zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::RrsigsMissing));
  auto sigs_ok = rrsig_set(data.owner, {make_rrsig(data, key, zone, kValid)});
  CHECK(verify_rrset(data, sigs_ok, dnskey_set(name("example.net."), {&key}), zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::DnskeyMissing));
  // A revoked or non-zone key is not used.
  TestKey revoked(13, 256 | 0x80);
  auto rk = dnskey_set(zone, {&revoked});
  auto rs = rrsig_set(data.owner, {make_rrsig(data, revoked, zone, kValid)});
  CHECK(verify_rrset(data, rs, rk, zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::DnskeyMissing));
}

TEST_CASE("KeyTrap: RRSIGs per RRset and signatures per query are bounded", "[rrset_verify]") {
  auto zone = name("example.org.");
  auto data = rrset({"www.example.org. 300 IN A 192.0.2.1"});
  TestKey key(13);
  auto keys = dnskey_set(zone, {&key});
  // kMaxRrsigsPerRrset bad signatures in front of a good one: the good one is never reached.
  wire::RRset sigs(data.owner, wire::RRType::RRSIG, wire::RRClass::IN, 300);
  for (size_t i = 0; i < kMaxRrsigsPerRrset; ++i) {
    auto bad = make_rrsig(data, key, zone, {kValid.inception + uint32_t(i), kValid.expiration});
    bad.back() ^= 0x01;
    sigs.add(bad);
  }
  sigs.add(make_rrsig(data, key, zone, kValid));
  ValidationBudget budget;
  CHECK(verify_rrset(data, sigs, keys, zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::SignatureInvalid));
  CHECK(budget.signatures_left() == kMaxSignatureValidationsPerQuery - kMaxRrsigsPerRrset);

  // Key tag collisions: many keys with one tag, each tried, until the query's budget is spent.
  ValidationBudget small(3, 0);
  wire::RRset many(zone, wire::RRType::DNSKEY, wire::RRClass::IN, 300);
  for (int i = 0; i < 5; ++i) many.add(key.dnskey());  // a set drops duplicates: one key
  auto one = rrsig_set(data.owner, {make_rrsig(data, key, zone, kValid)});
  CHECK(verify_rrset(data, one, many, zone, kNow, small).result == ValidationResult::secure());
  ValidationBudget empty(0, 0);
  CHECK(verify_rrset(data, one, keys, zone, kNow, empty).result ==
        ValidationResult::bogus(Reason::BudgetExhausted));
}

TEST_CASE("an RRSIG of an unsupported algorithm is not a way to insecure", "[rrset_verify]") {
  auto zone = name("example.org.");
  auto data = rrset({"www.example.org. 300 IN A 192.0.2.1"});
  TestKey key(13);
  auto keys = dnskey_set(zone, {&key});
  auto sig = make_rrsig(data, key, zone, kValid);
  sig[2] = 200;  // algorithm
  ValidationBudget budget;
  CHECK(verify_rrset(data, rrsig_set(data.owner, {sig}), keys, zone, kNow, budget).result ==
        ValidationResult::bogus(Reason::UnsupportedAlgorithm));
}
