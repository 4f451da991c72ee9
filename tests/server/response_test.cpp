#include <catch2/catch.hpp>

#include "resolver/server/query_check.h"
#include "resolver/server/response.h"
#include "test_util.h"
#include "wire/rrset.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;
using wire::Rcode;
using wire::RRType;

namespace {

ClientQuery parsed(const std::vector<uint8_t>& packet) {
  auto c = check_query(packet, true);
  REQUIRE(c.verdict != Verdict::Drop);
  return c.query;
}

// An RRset of `n` TXT records of 200 bytes each: n=2 makes ~420 bytes.
wire::RRset big_txt(const std::string& owner, int n, char fill) {
  wire::RRset s(name(owner), RRType::TXT, wire::RRClass::IN, 300);
  for (int i = 0; i < n; ++i) {
    std::vector<uint8_t> rd{199};
    rd.insert(rd.end(), 199, uint8_t(fill + i));
    s.add(rd);
  }
  return s;
}

}  // namespace

TEST_CASE("the response echoes ID, question spelling, RD and CD") {
  auto packet = make_query("ExAmple.com.", RRType::A);
  packet[3] |= 0x10;  // CD
  ClientQuery q = parsed(packet);
  Sections s;
  wire::RRset a(name("example.com."), RRType::A, wire::RRClass::IN, 60);
  a.add(std::vector<uint8_t>{192, 0, 2, 1});
  s.answer.push_back(a);
  auto bytes = build_response(q, s, 512, 1232);
  auto m = wire::MessageView::parse(bytes);
  REQUIRE(m);
  CHECK(m->header().id == 0x1234);
  CHECK(m->header().qr);
  CHECK(m->header().rd);
  CHECK(m->header().ra);
  CHECK(m->header().cd);
  CHECK_FALSE(m->header().tc);
  CHECK(m->qname().to_name()->to_text() == "ExAmple.com.");
  CHECK(m->answer().size() == 1);
  CHECK_FALSE(m->edns());  // the client sent none
}

TEST_CASE("OPT is echoed only when the client sent one, with DO copied") {
  wire::Edns e;
  e.udp_size = 4096;
  e.do_bit = true;
  ClientQuery q = parsed(make_query("example.com.", RRType::A, e));
  auto bytes = build_response(q, Sections{}, udp_response_limit(q, 1232), 1232);
  auto m = wire::MessageView::parse(bytes);
  REQUIRE(m);
  REQUIRE(m->edns());
  CHECK(m->edns()->udp_size() == 1232);
  CHECK(m->edns()->do_bit());
  CHECK(m->edns()->version() == 0);
}

TEST_CASE("BADVERS travels in the OPT's extended rcode") {
  wire::Edns e;
  e.version = 3;
  auto c = check_query(make_query("example.com.", RRType::A, e), true);
  REQUIRE(c.rcode == Rcode::BadVers);
  auto bytes = build_error(c.query, c.rcode, 512, 1232);
  auto m = wire::MessageView::parse(bytes);
  REQUIRE(m);
  CHECK(m->header().rcode == 0);  // 16 = 0x010: low bits 0, high bits 1 in the OPT
  REQUIRE(m->edns());
  CHECK(m->edns()->ext_rcode_high() == 1);
  CHECK(m->edns()->version() == 0);
  CHECK(m->rcode() == Rcode::BadVers);
}

TEST_CASE("the UDP limit: 512 without EDNS, the client's size clamped to the cap") {
  CHECK(udp_response_limit(parsed(make_query("a.", RRType::A)), 1232) == 512);
  wire::Edns e;
  e.udp_size = 4096;
  CHECK(udp_response_limit(parsed(make_query("a.", RRType::A, e)), 1232) == 1232);
  e.udp_size = 100;
  CHECK(udp_response_limit(parsed(make_query("a.", RRType::A, e)), 1232) == 512);
  e.udp_size = 800;
  CHECK(udp_response_limit(parsed(make_query("a.", RRType::A, e)), 1232) == 800);
}

TEST_CASE("truncation cuts at an RRset boundary and sets TC") {
  ClientQuery q = parsed(make_query("big.example.", RRType::TXT));
  Sections s;
  s.answer.push_back(big_txt("big.example.", 2, 'a'));   // ~430 bytes: fits in 512
  s.answer.push_back(big_txt("big.example.", 2, 'x'));   // does not fit after the first
  // Same owner and type would merge in a real answer; use another owner for the second set.
  s.answer[1].owner = name("big2.example.");
  auto bytes = build_response(q, s, 512, 1232);
  CHECK(bytes.size() <= 512);
  auto m = wire::MessageView::parse(bytes);
  REQUIRE(m);
  CHECK(m->header().tc);
  CHECK(m->answer().size() == 2);  // the whole first RRset, nothing of the second
  // Over TCP everything fits.
  const auto full_bytes = build_response(q, s, kTcpResponseLimit, 1232);  // the view reads it
  auto full = wire::MessageView::parse(full_bytes);
  REQUIRE(full);
  CHECK_FALSE(full->header().tc);
  CHECK(full->answer().size() == 4);
}

TEST_CASE("FORMERR for an unparseable body carries no question") {
  auto c = check_query(from_hex("abcd 0100 0001 0000 0000 0000 07 6578"), true);
  REQUIRE(c.rcode == Rcode::FormErr);
  const auto bytes = build_error(c.query, c.rcode, 512, 1232);  // the view reads it
  auto m = wire::MessageView::parse(bytes);
  REQUIRE(m);
  CHECK(m->header().id == 0xabcd);
  CHECK(m->header().qdcount == 0);
  CHECK(m->header().rcode == 1);
}

TEST_CASE("min_ttl covers answer and authority") {
  Sections s;
  s.answer.push_back(big_txt("a.", 1, 'a'));
  s.authority.push_back(big_txt("b.", 1, 'b'));
  s.authority[0].ttl = 7;
  CHECK(min_ttl(s) == 7);
  CHECK(min_ttl(Sections{}) == 0);
}
