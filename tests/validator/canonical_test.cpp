// Canonical form (RFC 4034 §6): RDATA order, lowercased names per type, the signed owner.
#include <catch2/catch.hpp>

#include "resolver/validator/canonical.h"
#include "test_records.h"
#include "wire/canonical_rdata.h"

using namespace tern;
using namespace tern::validator;
using namespace tern::validator::test;

TEST_CASE("canonical RDATA order is octet order, shorter first, no duplicates", "[canonical]") {
  auto set = rrset({"a.example. 60 IN TXT \"bb\"", "a.example. 60 IN TXT \"a\"",
                    "a.example. 60 IN TXT \"b\"", "a.example. 60 IN TXT \"ab\""});
  auto r = canonical_rdatas(set);
  REQUIRE(r.size() == 4);
  CHECK(r[0] == rdata("a.example. 60 IN TXT \"a\""));   // 01 61
  CHECK(r[1] == rdata("a.example. 60 IN TXT \"b\""));   // 01 62
  CHECK(r[2] == rdata("a.example. 60 IN TXT \"ab\""));  // 02 61 62
  CHECK(r[3] == rdata("a.example. 60 IN TXT \"bb\""));
}

TEST_CASE("names in RDATA are lowercased for the RFC 4034 §6.2 types only", "[canonical]") {
  auto mx = rdata("a.example. 60 IN MX 10 Mail.EXAMPLE.");
  CHECK(wire::dnssec_canonical_rdata(wire::RRType::MX, mx) == rdata("a.example. 60 IN MX 10 mail.example."));
  auto soa = rdata("a.example. 60 IN SOA NS1.Example. Host.Example. 1 2 3 4 5");
  CHECK(wire::dnssec_canonical_rdata(wire::RRType::SOA, soa) ==
        rdata("a.example. 60 IN SOA ns1.example. host.example. 1 2 3 4 5"));
  auto srv = rdata("_s._tcp.a.example. 60 IN SRV 1 2 3 Target.Example.");
  CHECK(wire::dnssec_canonical_rdata(wire::RRType::SRV, srv) ==
        rdata("_s._tcp.a.example. 60 IN SRV 1 2 3 target.example."));
  // RFC 6840 §5.1: NSEC's next name keeps its case. TXT is not a name at all.
  auto nsec = rdata("a.example. 60 IN NSEC B.Example. A NSEC RRSIG");
  CHECK(wire::dnssec_canonical_rdata(wire::RRType::NSEC, nsec) == nsec);
  auto txt = rdata("a.example. 60 IN TXT \"ABC\"");
  CHECK(wire::dnssec_canonical_rdata(wire::RRType::TXT, txt) == txt);
  // Malformed RDATA comes back unchanged rather than half-converted.
  std::vector<uint8_t> broken = {0, 10, 5, 'A', 'B'};
  CHECK(wire::dnssec_canonical_rdata(wire::RRType::MX, broken) == broken);
}

TEST_CASE("the signed owner: lowercased, wildcard when labels < owner labels", "[canonical]") {
  CHECK(*signed_owner(name("WWW.Example.COM."), 3) == name("www.example.com."));
  CHECK(signed_owner(name("WWW.Example.COM."), 3)->to_text() == "www.example.com.");
  CHECK(signed_owner(name("a.b.example.com."), 2)->to_text() == "*.example.com.");
  CHECK(signed_owner(name("*.example.com."), 2)->to_text() == "*.example.com.");
  CHECK(signed_owner(name("a.example.com."), 0)->to_text() == "*.");
  CHECK_FALSE(signed_owner(name("example.com."), 3));
  CHECK_FALSE(signed_owner(name("*.example.com."), 3));  // '*' is not counted (§3.1.3)
}

TEST_CASE("signed data layout (RFC 4034 §3.1.8.1)", "[canonical]") {
  auto set = rrset({"Host.Example. 77 IN A 192.0.2.1"});
  auto sig_rdata = rdata("host.example. 300 IN RRSIG A 13 2 300 20300101000000 20000101000000 "
                         "1234 EXAMPLE. AAAA");
  auto sig = parse_rrsig(sig_rdata);
  REQUIRE(sig);
  auto data = signed_data(set, *sig);
  REQUIRE(data);
  std::vector<uint8_t> expected(sig_rdata.begin(), sig_rdata.begin() + 18);
  auto signer = name("example."), owner = name("host.example.");
  for (uint8_t b : signer.wire()) expected.push_back(b);
  for (uint8_t b : owner.wire()) expected.push_back(b);
  for (uint8_t b : {0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1}) expected.push_back(b);
  CHECK(*data == expected);
}
