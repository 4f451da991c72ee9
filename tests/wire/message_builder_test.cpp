#include "wire/message_builder.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>

#include "hex.h"
#include "wire/rdata.h"
#include "wire/rrset.h"

using namespace tern::wire;
using tern::wire::test::hex;
using tern::wire::test::to_hex;

namespace {

Name N(std::string_view text) { return *Name::from_text(text); }

Header response_header(uint16_t id) {
  Header h;
  h.id = id;
  h.qr = true;
  h.rd = true;
  h.ra = true;
  return h;
}

std::vector<uint8_t> a_rdata(uint8_t last) { return {192, 0, 2, last}; }

}  // namespace

TEST_CASE("MessageBuilder: reproduces the optimally compressed message byte for byte",
          "[message_builder]") {
  // Same message as the hand-made vector in message_view_test.cpp: 67 octets is what optimal
  // suffix compression gives (every name after the first is a pointer or a label + pointer).
  MessageBuilder b(512);
  b.set_header(response_header(1234));
  REQUIRE(b.add_question(N("www.example.com"), RRType::A, RRClass::IN));
  REQUIRE(b.add_record(Section::Answer, N("www.example.com"), RRType::CNAME, RRClass::IN, 3600,
                       N("web.example.com").wire()) == MessageBuilder::Added::Ok);
  REQUIRE(b.add_record(Section::Answer, N("web.example.com"), RRType::A, RRClass::IN, 3600,
                       a_rdata(1)) == MessageBuilder::Added::Ok);
  auto out = b.finish();
  CHECK(out.size() == 67);
  CHECK(to_hex(out) == to_hex(hex(R"(
    04d2 8180 0001 0002 0000 0000
    03 777777 07 6578616d706c65 03 636f6d 00 0001 0001
    c00c 0005 0001 00000e10 0006 03 776562 c010
    c02d 0001 0001 00000e10 0004 c0000201)")));
}

TEST_CASE("MessageBuilder: longest suffix among many names, case-insensitively",
          "[message_builder]") {
  MessageBuilder b(65535);
  b.set_header(response_header(7));
  b.add_question(N("a.b.c.example.org"), RRType::NS, RRClass::IN);
  // Names sharing suffixes of different lengths with earlier names.
  const char* owners[] = {"x.b.c.EXAMPLE.org", "c.example.org", "y.x.b.c.example.org",
                          "example.net", "z.example.NET", "org", "a.b.c.example.org"};
  for (auto* o : owners) {
    REQUIRE(b.add_record(Section::Answer, N(o), RRType::A, RRClass::IN, 60, a_rdata(9)) ==
            MessageBuilder::Added::Ok);
  }
  auto out = b.finish();
  // Expected size by hand: header 12; question 19 + 4; then per record 10 + 4 rdata plus owner:
  // x + ptr = 4, ptr = 2, y + ptr(x.b...) = 4, example.net full = 13, z + ptr = 4, ptr(org) = 2,
  // ptr = 2.
  CHECK(out.size() == 12 + 23 + 7 * 14 + 4 + 2 + 4 + 13 + 4 + 2 + 2);
  auto m = MessageView::parse(out);
  REQUIRE(m.ok());
  REQUIRE(m->answer().size() == 7);
  for (size_t i = 0; i < 7; ++i) {
    // Compression points at earlier spellings, so only case-insensitive equality survives.
    CHECK(*m->answer()[i].owner().to_name() == N(owners[i]));
  }
}

TEST_CASE("MessageBuilder: RDATA names compressed only for RFC 1035 types", "[message_builder]") {
  MessageBuilder b(512);
  b.set_header(response_header(1));
  b.add_question(N("example.com"), RRType::MX, RRClass::IN);
  std::vector<uint8_t> mx{0, 10};
  const Name mail_name = N("mail.example.com");
  auto mail = mail_name.wire();
  mx.insert(mx.end(), mail.begin(), mail.end());
  b.add_record(Section::Answer, N("example.com"), RRType::MX, RRClass::IN, 300, mx);
  // Sized, then filled: appending to a vector built from an initializer list makes GCC 12 at -O3
  // warn about its own inlined reallocation (-Warray-bounds).
  const uint8_t srv_head[] = {0, 1, 0, 2, 0, 25};  // priority, weight, port
  std::vector<uint8_t> srv(sizeof srv_head + mail.size());
  std::copy(mail.begin(), mail.end(), std::copy(std::begin(srv_head), std::end(srv_head), srv.begin()));
  b.add_record(Section::Answer, N("_smtp._tcp.example.com"), RRType::SRV, RRClass::IN, 300, srv);
  auto out = b.finish();
  auto m = MessageView::parse(out);
  REQUIRE(m.ok());
  // MX: 2 + "mail" label (5) + pointer (2) = 9; SRV: 6 + full 18-octet name.
  CHECK(m->answer()[0].rdata().size() == 9);
  CHECK(m->answer()[1].rdata().size() == 6 + 18);
  CHECK(*decompress_rdata(*m, m->answer()[0]) == mx);
  CHECK(*decompress_rdata(*m, m->answer()[1]) == srv);
}

TEST_CASE("MessageBuilder: truncation at an RRset boundary sets TC (RFC 2181 section 9)",
          "[message_builder]") {
  RRset big(N("big.example"), RRType::A, RRClass::IN, 60);
  for (int i = 0; i < 40; ++i) big.add(a_rdata(uint8_t(i)));
  RRset small(N("small.example"), RRType::A, RRClass::IN, 60);
  small.add(a_rdata(1));

  MessageBuilder b(512);
  b.set_header(response_header(2));
  b.add_question(N("big.example"), RRType::A, RRClass::IN);
  REQUIRE(b.add_rrset(Section::Answer, small) == MessageBuilder::Added::Ok);
  const size_t before = b.size();
  CHECK(b.add_rrset(Section::Answer, big) == MessageBuilder::Added::NoRoom);
  CHECK(b.size() == before);  // nothing of the RRset was kept
  auto out = b.finish();
  auto m = MessageView::parse(out);
  REQUIRE(m.ok());
  CHECK(m->header().tc);
  CHECK(m->answer().size() == 1);

  // Additional data that does not fit is left out without TC.
  MessageBuilder b2(512);
  b2.add_question(N("big.example"), RRType::A, RRClass::IN);
  CHECK(b2.add_rrset(Section::Additional, big) == MessageBuilder::Added::NoRoom);
  const auto out2 = b2.finish();
  CHECK_FALSE(MessageView::parse(out2)->header().tc);

  // With TCP's limit the whole set fits.
  MessageBuilder b3(65535);
  b3.add_question(N("big.example"), RRType::A, RRClass::IN);
  CHECK(b3.add_rrset(Section::Answer, big) == MessageBuilder::Added::Ok);
  auto out3 = b3.finish();
  CHECK(MessageView::parse(out3)->answer().size() == 40);
}

TEST_CASE("MessageBuilder: OPT space is reserved so it always fits", "[message_builder]") {
  Edns edns;
  edns.udp_size = 1232;
  edns.do_bit = true;
  edns.options.push_back({kEdnsCookie, {1, 2, 3, 4, 5, 6, 7, 8}});
  MessageBuilder b(100);
  b.set_header(response_header(3));
  b.set_edns(edns);
  b.add_question(N("example"), RRType::A, RRClass::IN);
  int added = 0;
  for (int i = 0; i < 10; ++i) {
    if (b.add_record(Section::Answer, N("example"), RRType::A, RRClass::IN, 1,
                     a_rdata(uint8_t(i))) == MessageBuilder::Added::Ok) {
      ++added;
    }
  }
  auto out = b.finish();
  CHECK(out.size() <= 100);
  auto m = MessageView::parse(out);
  REQUIRE(m.ok());
  CHECK(int(m->answer().size()) == added);
  CHECK(m->header().tc);
  REQUIRE(m->edns());
  CHECK(m->edns()->to_edns() == edns);
}

TEST_CASE("MessageBuilder: extended rcode goes to OPT", "[message_builder]") {
  MessageBuilder b(512);
  b.set_edns(Edns{});
  b.set_rcode(Rcode::BadVers);
  auto out = b.finish();
  auto m = MessageView::parse(out);
  REQUIRE(m.ok());
  CHECK(m->rcode() == Rcode::BadVers);
  CHECK(m->header().rcode == 0);

  MessageBuilder later(512);  // rcode first, EDNS after
  later.set_rcode(Rcode(0x123));
  later.set_edns(Edns{});
  auto out2 = later.finish();
  auto m2 = MessageView::parse(out2);
  REQUIRE(m2.ok());
  CHECK(uint16_t(m2->rcode()) == 0x123);
}

TEST_CASE("MessageBuilder: sections in order, bad RDATA refused", "[message_builder]") {
  MessageBuilder b(512);
  b.add_question(N("example"), RRType::A, RRClass::IN);
  CHECK(b.add_record(Section::Authority, N("example"), RRType::A, RRClass::IN, 1, a_rdata(1)) ==
        MessageBuilder::Added::Ok);
  CHECK(b.add_record(Section::Answer, N("example"), RRType::A, RRClass::IN, 1, a_rdata(1)) ==
        MessageBuilder::Added::OutOfOrder);
  CHECK_FALSE(b.add_question(N("example"), RRType::A, RRClass::IN));
  std::vector<uint8_t> broken_ns{3, 'a', 'b'};
  CHECK(b.add_record(Section::Authority, N("example"), RRType::NS, RRClass::IN, 1, broken_ns) ==
        MessageBuilder::Added::BadRdata);
  const auto out = b.finish();
  auto m = MessageView::parse(out);
  REQUIRE(m.ok());
  CHECK(m->authority().size() == 1);
}

TEST_CASE("build_query", "[message_builder]") {
  Edns e;
  e.udp_size = 1232;
  e.do_bit = true;
  auto q = build_query(0xbeef, N("Example.com"), RRType::AAAA, RRClass::IN, true, e);
  auto m = MessageView::parse(q);
  REQUIRE(m.ok());
  CHECK(m->header().id == 0xbeef);
  CHECK_FALSE(m->header().qr);
  CHECK(m->header().rd);
  CHECK(m->qname().to_name()->to_text() == "Example.com.");
  CHECK(m->qtype() == RRType::AAAA);
  CHECK(m->edns()->do_bit());
  CHECK(m->edns()->udp_size() == 1232);
  auto plain = build_query(1, N("a"), RRType::A, RRClass::IN, false, std::nullopt);
  CHECK(plain.size() == 12 + 3 + 4);
  CHECK_FALSE(MessageView::parse(plain)->edns());
}

// build_query writes its bytes directly (no builder): they must equal the general path's.
TEST_CASE("build_query: same bytes as a MessageBuilder query", "[message_builder]") {
  for (bool with_edns : {false, true}) {
    for (const char* name : {".", "a", "Www.Example.COM", "x.y.z.example.net"}) {
      std::optional<Edns> e;
      if (with_edns) {
        e.emplace();
        e->udp_size = 1232;
        e->do_bit = true;
        e->options.push_back({10, {1, 2, 3, 4, 5, 6, 7, 8}});  // a COOKIE-shaped option
      }
      MessageBuilder b(65535);
      Header h;
      h.id = 0x1234;
      h.rd = true;
      b.set_header(h);
      if (e) b.set_edns(*e);
      b.add_question(N(name), RRType::MX, RRClass::IN);
      CHECK(build_query(0x1234, N(name), RRType::MX, RRClass::IN, true, e) == b.finish());
    }
  }
}

TEST_CASE("MessageBuilder: names of a rolled-back RRset are not pointer targets",
          "[message_builder]") {
  MessageBuilder b(120);
  b.add_question(N("q.example"), RRType::A, RRClass::IN);
  RRset big(N("victim.example"), RRType::TXT, RRClass::IN, 60);
  big.add(std::vector<uint8_t>(100, 'x'));  // the owner is written, then the RDATA overflows
  CHECK(b.add_rrset(Section::Answer, big) == MessageBuilder::Added::NoRoom);
  REQUIRE(b.add_record(Section::Answer, N("victim.example"), RRType::A, RRClass::IN, 1,
                       std::vector<uint8_t>{1, 2, 3, 4}) == MessageBuilder::Added::Ok);
  REQUIRE(b.add_record(Section::Answer, N("victim.example"), RRType::A, RRClass::IN, 1,
                       std::vector<uint8_t>{1, 2, 3, 5}) == MessageBuilder::Added::Ok);
  auto out = b.finish();
  auto m = MessageView::parse(out);
  REQUIRE(m.ok());
  REQUIRE(m->answer().size() == 2);
  CHECK(m->answer()[0].owner().to_name()->to_text() == "victim.example.");
  CHECK(m->answer()[1].owner().to_name()->to_text() == "victim.example.");
}

TEST_CASE("MessageBuilder: an RRset owned by the root repeats the one-octet root, never a pointer",
          "[message_builder]") {
  // The root has no label to point at; a pointer would aim into the header (0xc000).
  RRset root_ns(Name(), RRType::NS, RRClass::IN, 518400);
  root_ns.add(N("a.root-servers.net").wire());
  root_ns.add(N("b.root-servers.net").wire());
  MessageBuilder b(1232);
  b.set_header(response_header(0xabcd));  // an ID whose first octet is no root label
  b.add_question(Name(), RRType::NS, RRClass::IN);
  REQUIRE(b.add_rrset(Section::Answer, root_ns) == MessageBuilder::Added::Ok);
  auto out = b.finish();
  auto m = MessageView::parse(out);
  REQUIRE(m.ok());
  REQUIRE(m->answer().size() == 2);
  for (const auto& rr : m->answer()) CHECK(rr.owner().to_name()->is_root());
}
