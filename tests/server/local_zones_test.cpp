#include <catch2/catch.hpp>

#include "resolver/server/local_zones.h"
#include "test_util.h"
#include "wire/rdata.h"

using namespace tern;
using namespace tern::server;
using tern::server::test::name;
using wire::Rcode;
using wire::RRType;

namespace {

ClientQuery ask(const std::string& qname, RRType type) {
  ClientQuery q;
  q.has_question = true;
  q.qname = name(qname);
  q.qtype = type;
  return q;
}

}  // namespace

TEST_CASE("localhost. answers loopback addresses (RFC 6761 6.3)") {
  LocalZones z;
  auto a = z.answer(ask("localhost.", RRType::A));
  REQUIRE(a);
  CHECK(a->rcode == Rcode::NoError);
  CHECK(a->authoritative);
  REQUIRE(a->answer.size() == 1);
  CHECK(wire::rdata_a(*a->answer[0].begin()) == std::array<uint8_t, 4>{127, 0, 0, 1});

  auto aaaa = z.answer(ask("Foo.LocalHost.", RRType::AAAA));
  REQUIRE(aaaa);
  REQUIRE(aaaa->answer.size() == 1);
  CHECK(aaaa->answer[0].owner.to_text() == "Foo.LocalHost.");  // the client's spelling
  auto v6 = wire::rdata_aaaa(*aaaa->answer[0].begin());
  REQUIRE(v6);
  CHECK((*v6)[15] == 1);

  auto mx = z.answer(ask("localhost.", RRType::MX));  // NODATA with the zone's SOA
  REQUIRE(mx);
  CHECK(mx->rcode == Rcode::NoError);
  CHECK(mx->answer.empty());
  REQUIRE(mx->authority.size() == 1);
  CHECK(mx->authority[0].type == RRType::SOA);
}

TEST_CASE("loopback reverse names point at localhost.") {
  LocalZones z;
  auto v4 = z.answer(ask("1.0.0.127.in-addr.arpa.", RRType::PTR));
  REQUIRE(v4);
  REQUIRE(v4->answer.size() == 1);
  CHECK(wire::rdata_target(RRType::PTR, *v4->answer[0].begin())->to_text() == "localhost.");
  auto v6 = z.answer(ask("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.", RRType::PTR));
  REQUIRE(v6);
  CHECK(v6->answer.size() == 1);
  auto other = z.answer(ask("2.0.0.127.in-addr.arpa.", RRType::PTR));
  REQUIRE(other);
  CHECK(other->rcode == Rcode::NXDomain);
}

TEST_CASE("RFC 6303 reverse zones are NXDOMAIN locally with an SOA") {
  LocalZones z;
  for (const char* n : {"4.3.2.10.in-addr.arpa.", "1.1.168.192.in-addr.arpa.", "9.9.20.172.in-addr.arpa.",
                        "1.2.254.169.in-addr.arpa.", "5.2.0.192.in-addr.arpa.", "1.1.64.100.in-addr.arpa.",
                        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.",
                        "1.8.b.d.0.1.0.0.2.ip6.arpa."}) {
    INFO(n);
    auto r = z.answer(ask(n, RRType::PTR));
    REQUIRE(r);
    CHECK(r->rcode == Rcode::NXDomain);
    REQUIRE(r->authority.size() == 1);
    CHECK(r->authority[0].type == RRType::SOA);
    CHECK(n != r->authority[0].owner.to_text());
  }
  // Public space is not local.
  CHECK_FALSE(z.answer(ask("1.1.15.172.in-addr.arpa.", RRType::PTR)));
  CHECK_FALSE(z.answer(ask("8.8.8.8.in-addr.arpa.", RRType::PTR)));
  // Apex SOA answers.
  auto soa = z.answer(ask("10.in-addr.arpa.", RRType::SOA));
  REQUIRE(soa);
  CHECK(soa->answer.size() == 1);
}

TEST_CASE("invalid. never exists") {
  LocalZones z;
  for (const char* n : {"invalid.", "x.invalid.", "a.b.INVALID."}) {
    auto r = z.answer(ask(n, RRType::A));
    REQUIRE(r);
    CHECK(r->rcode == Rcode::NXDomain);
  }
}

TEST_CASE("ANY for a name outside the local zones is resolved, ordinary names too") {
  LocalZones z;
  // Whether the name exists decides the answer (NXDOMAIN, a CNAME, RFC 8482's HINFO): resolution.
  CHECK_FALSE(z.answer(ask("example.com.", RRType::ANY)));
  CHECK_FALSE(z.answer(ask("example.com.", RRType::A)));
  CHECK_FALSE(z.answer(ask("notlocalhost.", RRType::A)));
  // Inside a local zone ANY is answered from it.
  auto local = z.answer(ask("localhost.", RRType::ANY));
  REQUIRE(local);
  CHECK_FALSE(local->answer.empty());
  auto gone = z.answer(ask("x.invalid.", RRType::ANY));
  REQUIRE(gone);
  CHECK(gone->rcode == Rcode::NXDomain);
}

TEST_CASE("built-in zones can be switched off") {
  LocalZones z({"invalid.", "10.in-addr.arpa."});
  CHECK_FALSE(z.answer(ask("www.example.invalid.", RRType::A)));
  CHECK_FALSE(z.answer(ask("1.2.3.10.in-addr.arpa.", RRType::PTR)));
  CHECK(z.answer(ask("localhost.", RRType::A)));
}
