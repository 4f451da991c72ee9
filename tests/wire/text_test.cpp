#include "wire/text.h"

#include <catch2/catch.hpp>

#include "hex.h"
#include "wire/message_builder.h"
#include "wire/rdata.h"

using namespace tern::wire;
using tern::wire::test::hex;

namespace {
const Name kOrigin = *Name::from_text("example.com.");
}

TEST_CASE("rr_from_text: ttl and class optional, in either order", "[text]") {
  auto a = rr_from_text("www 300 IN A 192.0.2.1", kOrigin);
  REQUIRE(a.ok());
  CHECK(a->owner.to_text() == "www.example.com.");
  CHECK(a->ttl == 300);
  CHECK(a->rclass == RRClass::IN);
  CHECK(a->type == RRType::A);
  CHECK(a->rdata == std::vector<uint8_t>{192, 0, 2, 1});
  auto b = rr_from_text("com.\tIN NS\ta.gtld-servers.net.", kOrigin);
  REQUIRE(b.ok());
  CHECK(b->ttl == 3600);
  CHECK(b->type == RRType::NS);
  auto c = rr_from_text("x. CH 60 TXT \"hi\" ; comment", kOrigin, 5);
  REQUIRE(c.ok());
  CHECK(c->rclass == RRClass::CH);
  CHECK(c->ttl == 60);
  CHECK(rdata_to_text(c->type, c->rdata) == "\"hi\"");
  auto d = rr_from_text("x. A 10.0.0.1", kOrigin, 5);
  REQUIRE(d.ok());
  CHECK(d->ttl == 5);
  auto e = rr_from_text("x. 1h30m TYPE65280 \\# 4 0a000001", kOrigin);
  REQUIRE(e.ok());
  CHECK(e->ttl == 5400);
  CHECK(e->type == RRType(65280));
}

TEST_CASE("rr_from_text: multi-line SOA in parentheses", "[text]") {
  auto soa = rr_from_text(R"(@ 3600 IN SOA ns hostmaster (
        2026112201 ; serial
        7200       ; refresh
        3600 1209600
        300 ))", kOrigin);
  REQUIRE(soa.ok());
  CHECK(rdata_to_text(RRType::SOA, soa->rdata) ==
        "ns.example.com. hostmaster.example.com. 2026112201 7200 3600 1209600 300");
}

TEST_CASE("rr_from_text: errors", "[text]") {
  CHECK(rr_from_text("x.", kOrigin).error() == WireError::BadText);
  CHECK(rr_from_text("x. 300 IN BOGUS 1", kOrigin).error() == WireError::UnknownType);
  CHECK(rr_from_text("x. 300 IN A", kOrigin).error() == WireError::BadText);
  CHECK(rr_from_text("x. 3x IN A 1.2.3.4", kOrigin).error() == WireError::BadNumber);
  CHECK(rr_from_text("a..b 300 IN A 1.2.3.4", kOrigin).error() == WireError::EmptyLabel);
}

TEST_CASE("rr_to_text aligns like dig", "[text]") {
  auto n = *Name::from_text("example.com.");
  CHECK(rr_to_text(n, 300, RRClass::IN, RRType::A, std::vector<uint8_t>{93, 184, 216, 34}) ==
        "example.com.\t\t300\tIN\tA\t93.184.216.34");
  auto longer = *Name::from_text("a-very-long-owner-name.example.com.");
  CHECK(rr_to_text(longer, 5, RRClass::IN, RRType::A, std::vector<uint8_t>{1, 2, 3, 4}) ==
        "a-very-long-owner-name.example.com. 5 IN A\t1.2.3.4");
  RRset s(n, RRType::A, RRClass::IN, 60);
  s.add(std::vector<uint8_t>{1, 1, 1, 1});
  s.add(std::vector<uint8_t>{2, 2, 2, 2});
  CHECK(rrset_to_text(s) ==
        "example.com.\t\t60\tIN\tA\t1.1.1.1\nexample.com.\t\t60\tIN\tA\t2.2.2.2\n");
}

TEST_CASE("message_to_text prints like dig", "[text]") {
  MessageBuilder b(512);
  Header h;
  h.id = 1234;
  h.qr = h.rd = h.ra = true;
  b.set_header(h);
  Edns e;
  e.do_bit = true;
  b.set_edns(e);
  auto n = *Name::from_text("example.com.");
  b.add_question(n, RRType::A, RRClass::IN);
  b.add_record(Section::Answer, n, RRType::A, RRClass::IN, 300, std::vector<uint8_t>{1, 2, 3, 4});
  auto p = b.finish();
  auto m = MessageView::parse(p);
  REQUIRE(m.ok());
  CHECK(message_to_text(*m) ==
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1234\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n"
        "\n;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags: do; udp: 1232\n"
        ";; QUESTION SECTION:\n;example.com.\t\t\tIN\tA\n\n"
        ";; ANSWER SECTION:\nexample.com.\t\t300\tIN\tA\t1.2.3.4\n\n");
}
