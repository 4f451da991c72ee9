#include <catch2/catch.hpp>

#include "resolver/server/query_check.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;
using wire::Rcode;
using wire::RRType;

TEST_CASE("a plain query proceeds") {
  auto c = check_query(make_query("Example.com.", RRType::A), true);
  CHECK(c.verdict == Verdict::Proceed);
  CHECK(c.query.qname.to_text() == "Example.com.");
  CHECK(c.query.header.id == 0x1234);
  CHECK_FALSE(c.query.edns);
  wire::Edns e;
  e.udp_size = 4096;
  e.do_bit = true;
  auto d = check_query(make_query("example.com.", RRType::AAAA, e), true);
  REQUIRE(d.verdict == Verdict::Proceed);
  REQUIRE(d.query.edns);
  CHECK(d.query.edns->udp_size == 4096);
  CHECK(d.query.dnssec_ok());
}

TEST_CASE("unparseable headers and responses are dropped") {
  CHECK(check_query(from_hex(""), true).verdict == Verdict::Drop);
  auto short_one = check_query(from_hex("1234 0100 0001 0000 0000"), true);
  CHECK(short_one.verdict == Verdict::Drop);
  CHECK(short_one.drop_reason == DropReason::ShortHeader);
  auto q = make_query("example.com.", RRType::A);
  q[2] |= 0x80;  // QR
  auto r = check_query(q, true);
  CHECK(r.verdict == Verdict::Drop);
  CHECK(r.drop_reason == DropReason::IsResponse);
}

TEST_CASE("broken bodies, question counts and meta types") {
  // Header says one question, body holds half a name.
  auto broken = check_query(from_hex("abcd 0100 0001 0000 0000 0000 07 6578 616d"), true);
  CHECK(broken.verdict == Verdict::Reply);
  CHECK(broken.rcode == Rcode::FormErr);
  CHECK(broken.query.header.id == 0xabcd);
  CHECK_FALSE(broken.query.has_question);
  // No question.
  auto none = check_query(from_hex("abcd 0100 0000 0000 0000 0000"), true);
  CHECK(none.rcode == Rcode::FormErr);
  // Two questions.
  auto two = check_query(from_hex("abcd 0100 0002 0000 0000 0000 0161 00 0001 0001 0162 00 0001 0001"), true);
  CHECK(two.verdict == Verdict::Reply);
  CHECK(two.rcode == Rcode::FormErr);
  CHECK(check_query(make_query("example.com.", RRType::AXFR), true).rcode == Rcode::Refused);
  CHECK(check_query(make_query("example.com.", RRType::IXFR), true).rcode == Rcode::Refused);
  CHECK(check_query(make_query("example.com.", RRType::ANY), true).verdict == Verdict::Proceed);
}

TEST_CASE("opcodes other than QUERY are NOTIMP") {
  auto q = make_query("example.com.", RRType::SOA);
  q[2] = uint8_t((q[2] & 0x87) | (4 << 3));  // NOTIFY
  auto c = check_query(q, true);
  CHECK(c.verdict == Verdict::Reply);
  CHECK(c.rcode == Rcode::NotImp);
  q[2] = uint8_t((q[2] & 0x87) | (5 << 3));  // UPDATE
  CHECK(check_query(q, true).rcode == Rcode::NotImp);
}

TEST_CASE("EDNS version above 0 is BADVERS") {
  wire::Edns e;
  e.version = 1;
  auto c = check_query(make_query("example.com.", RRType::A, e), true);
  CHECK(c.verdict == Verdict::Reply);
  CHECK(c.rcode == Rcode::BadVers);
  CHECK(c.query.has_question);
}

TEST_CASE("clients outside the ACL are refused") {
  auto c = check_query(make_query("example.com.", RRType::A), false);
  CHECK(c.verdict == Verdict::Reply);
  CHECK(c.rcode == Rcode::Refused);
  CHECK(c.query.has_question);
}

TEST_CASE("classes other than IN are refused") {
  auto q = wire::build_query(1, name("version.bind."), RRType::TXT, wire::RRClass::CH, false, std::nullopt);
  CHECK(check_query(q, true).rcode == Rcode::Refused);
}

TEST_CASE("meta and reserved query types are FORMERR, never resolved") {
  for (uint16_t t : {0, 128, 129, 200, 248, 249, 250}) {
    auto c = check_query(make_query("example.com.", RRType(t)), true);
    INFO("TYPE" << t);
    CHECK(c.verdict == Verdict::Reply);
    CHECK(c.rcode == Rcode::FormErr);
  }
  CHECK(check_query(make_query("example.com.", RRType::OPT), true).rcode == Rcode::FormErr);
  // MAILB / MAILA: NOTIMP; zone transfers: REFUSED.
  CHECK(check_query(make_query("example.com.", RRType(253)), true).rcode == Rcode::NotImp);
  CHECK(check_query(make_query("example.com.", RRType(254)), true).rcode == Rcode::NotImp);
  CHECK(check_query(make_query("example.com.", RRType::AXFR), true).rcode == Rcode::Refused);
  // Data types around the meta range are resolved.
  for (uint16_t t : {127, 255, 256, 257, 65280})
    CHECK(check_query(make_query("example.com.", RRType(t)), true).verdict == Verdict::Proceed);
}

TEST_CASE("a COOKIE option of the wrong length is FORMERR (RFC 7873 5.2.2)") {
  auto with_cookie = [](size_t length) {
    wire::Edns e;
    e.options.push_back(wire::EdnsOption{wire::kEdnsCookie, std::vector<uint8_t>(length, 0x5a)});
    return check_query(make_query("example.com.", RRType::A, e), true);
  };
  for (size_t bad : {0, 1, 7, 9, 15, 41, 64}) {
    INFO("cookie length " << bad);
    auto c = with_cookie(bad);
    CHECK(c.verdict == Verdict::Reply);
    CHECK(c.rcode == Rcode::FormErr);
    CHECK(c.query.edns);  // the FORMERR carries our OPT, as for any EDNS client
  }
  for (size_t good : {8, 16, 24, 40}) {
    INFO("cookie length " << good);
    CHECK(with_cookie(good).verdict == Verdict::Proceed);
  }
}
