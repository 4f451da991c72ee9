// Typed views of DNSSEC RDATA: fields, malformed input, type bitmaps.
#include <catch2/catch.hpp>

#include "resolver/validator/dnssec_rdata.h"
#include "test_records.h"

using namespace tern;
using namespace tern::validator;
using namespace tern::validator::test;

TEST_CASE("RRSIG fields and malformed RRSIGs", "[dnssec_rdata]") {
  auto rd = rdata("www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 "
                  "example.net. kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==");
  auto s = parse_rrsig(rd);
  REQUIRE(s);
  CHECK(s->type_covered == wire::RRType::A);
  CHECK(s->algorithm == 8);
  CHECK(s->labels == 3);
  CHECK(s->original_ttl == 3600);
  CHECK(s->expiration == 1893456000u);
  CHECK(s->inception == 946684800u);
  CHECK(s->key_tag == 9033);
  CHECK(s->signer == name("example.net."));
  CHECK(s->signature.size() == 64);
  CHECK_FALSE(parse_rrsig(std::vector<uint8_t>(18, 0)));
  std::vector<uint8_t> no_sig(rd.begin(), rd.begin() + 18 + 13);  // fields + "example.net."
  CHECK_FALSE(parse_rrsig(no_sig));
  std::vector<uint8_t> bad_name(rd.begin(), rd.begin() + 18);
  bad_name.push_back(200);  // label length over 63
  bad_name.push_back(1);
  CHECK_FALSE(parse_rrsig(bad_name));
}

TEST_CASE("DNSKEY, DS, NSEC3 views", "[dnssec_rdata]") {
  // Views point into the RDATA, so each RDATA is kept alive in a local.
  auto k_rd = rdata("example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  auto k = parse_dnskey(k_rd);
  REQUIRE(k);
  CHECK(k->flags == 257);
  CHECK(k->usable_for_zone());
  CHECK(k->public_key.size() == 32);
  auto revoked_rd = rdata("example.com. 3600 IN DNSKEY 385 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  auto revoked = parse_dnskey(revoked_rd);
  CHECK_FALSE(revoked->usable_for_zone());
  auto not_zone_rd = rdata("example.com. 3600 IN DNSKEY 1 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  auto not_zone = parse_dnskey(not_zone_rd);
  CHECK_FALSE(not_zone->usable_for_zone());
  CHECK_FALSE(parse_dnskey(std::vector<uint8_t>{1, 1, 3, 8}));
  auto d_rd = rdata("a. 60 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
  auto d = parse_ds(d_rd);
  REQUIRE(d);
  CHECK(d->key_tag == 60485);
  CHECK(d->digest.size() == 20);
  auto n3_rd = rdata("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. 3600 IN NSEC3 1 1 12 aabbccdd "
                     "2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM");
  auto n3 = parse_nsec3(n3_rd);
  REQUIRE(n3);
  CHECK(n3->opt_out());
  CHECK(n3->iterations == 12);
  CHECK(n3->salt.size() == 4);
  CHECK(n3->next_hashed.size() == 20);
  CHECK(bitmap_has_type(n3->type_bitmap, wire::RRType::SOA));
  CHECK(bitmap_has_type(n3->type_bitmap, wire::RRType::NSEC3PARAM));
  CHECK_FALSE(bitmap_has_type(n3->type_bitmap, wire::RRType::A));
  CHECK_FALSE(bitmap_has_type(n3->type_bitmap, wire::RRType::CAA));  // window 1
  CHECK_FALSE(parse_nsec3(std::vector<uint8_t>{1, 0, 0, 12, 4, 1, 2}));  // salt runs off the end
}

TEST_CASE("supported algorithms and digests", "[dnssec_rdata]") {
  for (int a : {5, 7, 8, 10, 13, 14, 15, 16}) CHECK(algorithm_supported(uint8_t(a)));
  for (int a : {0, 1, 3, 6, 12, 17, 253, 254}) CHECK_FALSE(algorithm_supported(uint8_t(a)));
  for (int d : {1, 2, 4}) CHECK(digest_supported(uint8_t(d)));
  for (int d : {0, 3, 5}) CHECK_FALSE(digest_supported(uint8_t(d)));
}
