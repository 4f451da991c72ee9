// DS digests: RFC 4034 §5.4 (SHA-1), RFC 4509 §2.3 (SHA-256 of the same key), RFC 6605 §6
// (SHA-256, SHA-384), RFC 8080 §6 (SHA-256), and the root KSK-2017 against the compiled anchor.
#include <catch2/catch.hpp>

#include "resolver/validator/ds_digest.h"
#include "test_records.h"

using namespace tern::validator;
using tern::validator::test::hex;
using tern::validator::test::name;
using tern::validator::test::rdata;

namespace {
const char* kDskey =
    "dskey.example.com. 86400 IN DNSKEY 256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/"
    "2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM"
    "9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
}

TEST_CASE("RFC 4034 §5.4 and RFC 4509 §2.3: DS of dskey.example.com.", "[ds]") {
  auto key = rdata(kDskey);
  CHECK(ds_digest(name("dskey.example.com."), key, 1) ==
        hex("2BB183AF5F22588179A53B0A98631FAD1A292118"));
  CHECK(ds_digest(name("DSKEY.example.COM."), key, 2) ==
        hex("D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A"));
  auto ds = rdata("dskey.example.com. 86400 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
  CHECK(ds_matches(name("dskey.example.com."), key, ds) == DsMatch::Match);
  // The same digest under another owner name does not match: the owner is hashed too.
  CHECK(ds_matches(name("other.example.com."), key, ds) == DsMatch::Mismatch);
  auto bad = rdata("dskey.example.com. 86400 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292119");
  CHECK(ds_matches(name("dskey.example.com."), key, bad) == DsMatch::Mismatch);
  auto wrong_tag = rdata("dskey.example.com. 86400 IN DS 60486 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
  CHECK(ds_matches(name("dskey.example.com."), key, wrong_tag) == DsMatch::Mismatch);
  auto gost = rdata("dskey.example.com. 86400 IN DS 60485 5 3 2BB183AF5F22588179A53B0A98631FAD1A292118");
  CHECK(ds_matches(name("dskey.example.com."), key, gost) == DsMatch::UnsupportedDigest);
  CHECK_FALSE(ds_digest(name("dskey.example.com."), key, 3));
}

TEST_CASE("RFC 6605 §6 and RFC 8080 §6: DS records of the example keys", "[ds]") {
  auto p256 = rdata("example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6"
                    "edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==");
  CHECK(ds_matches(name("example.net."), p256,
                   rdata("example.net. 3600 IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5"
                         "c1e2770ce6d6e37df61d17")) == DsMatch::Match);
  auto p384 = rdata("example.net. 3600 IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBV"
                    "Sum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/"
                    "qTI37m40");
  CHECK(ds_matches(name("example.net."), p384,
                   rdata("example.net. 3600 IN DS 10771 14 4 72d7b62976ce06438e9c0bf319013cf801f09ecc84"
                         "b8d7e9495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6")) == DsMatch::Match);
  auto ed = rdata("example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  CHECK(ds_matches(name("example.com."), ed,
                   rdata("example.com. 3600 IN DS 3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3"
                         "b1964ab55c78e79a304b")) == DsMatch::Match);
  auto ed448 = rdata("example.com. 3600 IN DNSKEY 257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhp"
                     "j/OiBVHHSfPodx1FYYUcJKm1MDpJtIA");
  CHECK(ds_matches(name("example.com."), ed448,
                   rdata("example.com. 3600 IN DS 9713 16 2 6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d36804"
                         "8db93dd811f5cb2b19c7")) == DsMatch::Match);
}

TEST_CASE("the root KSK-2017 DNSKEY matches the compiled-in DS 20326", "[ds]") {
  // KSK-2017 as published by IANA (also in OpenBSD's sbin/unwind/unwind.h, KSK2017).
  auto ksk = rdata(". 172800 IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3"
                   "+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2"
                   "n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+e"
                   "oZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws"
                   "9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=");
  CHECK(ds_matches(name("."), ksk,
                   rdata(". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D")) ==
        DsMatch::Match);
}
