// Key tags (RFC 4034 Appendix B) of the keys the RFCs print with their tags.
#include <catch2/catch.hpp>

#include "resolver/validator/key_tag.h"
#include "test_records.h"

using tern::validator::key_tag;
using tern::validator::test::rdata;

TEST_CASE("key tags of published DNSKEYs", "[key_tag]") {
  // RFC 4034 §5.4: "key id = 60485".
  CHECK(key_tag(rdata("dskey.example.com. 86400 IN DNSKEY 256 3 5 AQOeiiR0GOMYkDshWoSKz9Xzfw"
                      "Jr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/"
                      "M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==")) ==
        60485);
  // RFC 5702 §6.1 and §6.2.
  CHECK(key_tag(rdata("example.net. 3600 IN DNSKEY 256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pe"
                      "xPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=")) == 9033);
  CHECK(key_tag(rdata("example.net. 3600 IN DNSKEY 256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVX"
                      "XyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVs"
                      "Mu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL")) == 3740);
  // RFC 6605 §6.1 and §6.2.
  CHECK(key_tag(rdata("example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6"
                      "edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")) == 55648);
  CHECK(key_tag(rdata("example.net. 3600 IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBV"
                      "Sum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/"
                      "qTI37m40")) == 10771);
  // RFC 8080 §6.
  CHECK(key_tag(rdata("example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=")) == 3613);
  CHECK(key_tag(rdata("example.com. 3600 IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=")) == 35217);
  CHECK(key_tag(rdata("example.com. 3600 IN DNSKEY 257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/"
                      "OiBVHHSfPodx1FYYUcJKm1MDpJtIA")) == 9713);
}

TEST_CASE("key tag of an RSA/MD5 key uses the modulus' last octets (Appendix B.1)", "[key_tag]") {
  std::vector<uint8_t> k = {1, 0, 3, 1, 1, 3, 0xaa, 0xbb, 0xcc, 0x12, 0x34, 0xdd};
  CHECK(key_tag(k) == 0x1234);
}
