// DNSKEY sets against DS records and DNSKEY trust anchors, with generated keys.
#include <catch2/catch.hpp>

#include "resolver/validator/dnskey_trust.h"
#include "resolver/validator/ds_digest.h"
#include "test_records.h"
#include "test_signer.h"

using namespace tern;
using namespace tern::validator;
using namespace tern::validator::test;

namespace {
constexpr uint32_t kNow = 1700000000;
constexpr SigTimes kValid{kNow - 86400, kNow + 86400};

std::vector<uint8_t> ds_for(const wire::Name& zone, const TestKey& key, uint8_t digest_type) {
  auto digest = ds_digest(zone, key.dnskey(), digest_type);
  std::vector<uint8_t> rd;  // built by push_back: GCC 12 -O3 misreads an insert after {...}
  rd.reserve(4 + digest->size());
  rd.push_back(uint8_t(key.tag() >> 8));
  rd.push_back(uint8_t(key.tag()));
  rd.push_back(key.algorithm());
  rd.push_back(digest_type);
  for (uint8_t b : *digest) rd.push_back(b);
  return rd;
}

wire::RRset ds_set(const wire::Name& zone, std::initializer_list<std::vector<uint8_t>> ds) {
  wire::RRset out(zone, wire::RRType::DS, wire::RRClass::IN, 3600);
  for (const auto& d : ds) out.add(d);
  return out;
}
}  // namespace

TEST_CASE("a KSK matching the DS signs the DNSKEY set", "[dnskey_trust]") {
  auto zone = name("example.org.");
  TestKey ksk(8, 257), zsk(13, 256);
  auto keys = dnskey_set(zone, {&ksk, &zsk});
  auto sigs = rrsig_set(zone, {make_rrsig(keys, ksk, zone, kValid)});
  ValidationBudget budget;
  for (uint8_t digest : {1, 2, 4}) {
    CAPTURE(int(digest));
    auto v = validate_dnskeys_with_ds(keys, sigs, ds_set(zone, {ds_for(zone, ksk, digest)}), kNow, budget);
    CHECK(v.result == ValidationResult::secure());
    CHECK(v.key_tag == ksk.tag());
  }
  // The DS names the ZSK, but only the KSK signed the set.
  CHECK(validate_dnskeys_with_ds(keys, sigs, ds_set(zone, {ds_for(zone, zsk, 2)}), kNow, budget).result.is_bogus());
  // A DS RRset of another zone vouches for nothing here.
  CHECK(validate_dnskeys_with_ds(keys, sigs, ds_set(name("example.net."), {ds_for(zone, ksk, 2)}), kNow, budget)
            .result == ValidationResult::bogus(Reason::DnskeyMissing));
  // A DS for a key that is not in the set.
  TestKey stranger(8, 257);
  CHECK(validate_dnskeys_with_ds(keys, sigs, ds_set(zone, {ds_for(zone, stranger, 2)}), kNow, budget).result ==
        ValidationResult::bogus(Reason::DnskeyMissing));
}

TEST_CASE("unsupported DS algorithms or digests only: insecure, not bogus", "[dnskey_trust]") {
  auto zone = name("example.org.");
  TestKey ksk(8, 257);
  auto keys = dnskey_set(zone, {&ksk});
  auto sigs = rrsig_set(zone, {make_rrsig(keys, ksk, zone, kValid)});
  ValidationBudget budget;
  auto gost_digest = ds_for(zone, ksk, 2);
  gost_digest[3] = 3;  // GOST R 34.11-94
  CHECK(validate_dnskeys_with_ds(keys, sigs, ds_set(zone, {gost_digest}), kNow, budget).result ==
        ValidationResult::insecure(Reason::UnsupportedDigest));
  auto private_alg = ds_for(zone, ksk, 2);
  private_alg[2] = 253;  // PRIVATEDNS
  CHECK(validate_dnskeys_with_ds(keys, sigs, ds_set(zone, {private_alg}), kNow, budget).result ==
        ValidationResult::insecure(Reason::UnsupportedAlgorithm));
  // Next to a supported DS the unsupported one changes nothing.
  CHECK(validate_dnskeys_with_ds(keys, sigs, ds_set(zone, {private_alg, ds_for(zone, ksk, 2)}), kNow, budget)
            .result == ValidationResult::secure());
}

TEST_CASE("SHA-1 DS is ignored when a SHA-256 DS is present (RFC 4509 §3)", "[dnskey_trust]") {
  auto zone = name("example.org.");
  TestKey ksk(13, 257), other(13, 257);
  auto keys = dnskey_set(zone, {&ksk});
  auto sigs = rrsig_set(zone, {make_rrsig(keys, ksk, zone, kValid)});
  ValidationBudget budget;
  // SHA-1 matches our key, SHA-256 names a key we do not have: the SHA-1 one must not count.
  CHECK(validate_dnskeys_with_ds(keys, sigs, ds_set(zone, {ds_for(zone, ksk, 1), ds_for(zone, other, 2)}),
                                 kNow, budget).result == ValidationResult::bogus(Reason::DnskeyMissing));
}

TEST_CASE("trust anchor in DNSKEY form", "[dnskey_trust]") {
  auto zone = name("example.org.");
  TestKey ksk(15, 257), zsk(15, 256);
  auto keys = dnskey_set(zone, {&ksk, &zsk});
  auto sigs = rrsig_set(zone, {make_rrsig(keys, ksk, zone, kValid)});
  ValidationBudget budget;
  CHECK(validate_dnskeys_with_keys(keys, sigs, dnskey_set(zone, {&ksk}), kNow, budget).result ==
        ValidationResult::secure());
  TestKey absent(15, 257);
  CHECK(validate_dnskeys_with_keys(keys, sigs, dnskey_set(zone, {&absent}), kNow, budget).result ==
        ValidationResult::bogus(Reason::DnskeyMissing));
  // The anchor is in the set but did not sign it.
  CHECK(validate_dnskeys_with_keys(keys, sigs, dnskey_set(zone, {&zsk}), kNow, budget).result.is_bogus());
}
