#include "resolver/server/any_answer.h"

#include <catch2/catch.hpp>

#include "test_util.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;
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

wire::RRset rrset(const std::string& owner, RRType type, uint32_t ttl,
                  std::vector<uint8_t> rdata) {
  wire::RRset s(name(owner), type, wire::RRClass::IN, ttl);
  s.add(rdata);
  return s;
}

}  // namespace

TEST_CASE("ANY with data at the name becomes RFC 8482's HINFO, with the smallest TTL") {
  Sections s;
  s.answer.push_back(rrset("www.example.com.", RRType::A, 300, {192, 0, 2, 1}));
  s.answer.push_back(rrset("www.example.com.", RRType::TXT, 60, {1, 'x'}));
  shorten_any_answer(ask("WWW.example.com.", RRType::ANY), s);
  REQUIRE(s.answer.size() == 1);
  CHECK(s.answer[0].type == RRType::HINFO);
  CHECK(s.answer[0].owner.to_text() == "WWW.example.com.");
  CHECK(s.answer[0].ttl == 60);
  std::vector<std::vector<uint8_t>> rdatas;
  for (auto rd : s.answer[0]) rdatas.emplace_back(rd.begin(), rd.end());
  CHECK(rdatas == std::vector<std::vector<uint8_t>>{{7, 'R', 'F', 'C', '8', '4', '8', '2', 0}});
}

TEST_CASE("ANY answers that are not data at the name are left as they are") {
  SECTION("NXDOMAIN with its SOA") {
    Sections s;
    s.rcode = Rcode::NXDomain;
    s.authority.push_back(rrset("example.com.", RRType::SOA, 300, {0, 0}));
    shorten_any_answer(ask("nope.example.com.", RRType::ANY), s);
    CHECK(s.rcode == Rcode::NXDomain);
    CHECK(s.answer.empty());
    CHECK(s.authority.size() == 1);
  }
  SECTION("a CNAME owner's CNAME") {
    Sections s;
    wire::Name target_name = name("www.example.com.");
    auto target = target_name.wire();
    s.answer.push_back(rrset("alias.example.com.", RRType::CNAME, 300,
                             std::vector<uint8_t>(target.begin(), target.end())));
    shorten_any_answer(ask("alias.example.com.", RRType::ANY), s);
    REQUIRE(s.answer.size() == 1);
    CHECK(s.answer[0].type == RRType::CNAME);
  }
  SECTION("NODATA") {
    Sections s;
    s.authority.push_back(rrset("example.com.", RRType::SOA, 300, {0, 0}));
    shorten_any_answer(ask("empty.example.com.", RRType::ANY), s);
    CHECK(s.answer.empty());
    CHECK(s.authority.size() == 1);
  }
  SECTION("other question types") {
    Sections s;
    s.answer.push_back(rrset("www.example.com.", RRType::A, 300, {192, 0, 2, 1}));
    shorten_any_answer(ask("www.example.com.", RRType::A), s);
    CHECK(s.answer[0].type == RRType::A);
  }
}
