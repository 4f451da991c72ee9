// classify_response on built messages: one case per kind, and the bailiwick rules.
#include <catch2/catch.hpp>

#include "resolver/engine/response_classifier.h"
#include "tests/support/sim_network.h"
#include "tests/support/builders.h"
#include "wire/message_builder.h"

using namespace tern;
using namespace tern::engine;
using namespace tern::testsupport;
using wire::RRType;

namespace {

struct Built {
  std::vector<uint8_t> bytes;
  wire::MessageView view() const { return wire::MessageView::parse(bytes).value(); }
};

Built build(const SimReply& reply, std::string_view qname, RRType qtype) {
  SimEntry e;
  e.qname = wire::Name::from_text(qname).value();
  e.qtype = qtype;
  e.reply = reply;
  auto q = wire::build_query(1, e.qname, qtype, wire::RRClass::IN, false, std::nullopt);
  return Built{SimNetwork::build_reply(e, q)};
}

AskedQuestion asked(std::string_view zone, std::string_view qname, RRType qtype) {
  return AskedQuestion{wire::Name::from_text(zone).value(), wire::Name::from_text(qname).value(),
                       qtype, wire::RRClass::IN, false};
}

}  // namespace

TEST_CASE("classification of the common shapes", "[engine][classify]") {
  auto q = asked("example.com.", "www.example.com.", RRType::A);
  {
    auto m = build(answer({"www.example.com. 60 IN A 192.0.2.1"}), "www.example.com.", RRType::A);
    auto c = classify_response(m.view(), q);
    CHECK(c.kind == ResponseKind::Answer);
    CHECK(c.answer.size() == 1);
  }
  {
    auto m = build(nxdomain("example.com."), "www.example.com.", RRType::A);
    auto c = classify_response(m.view(), q);
    CHECK(c.kind == ResponseKind::NxDomain);
    CHECK(c.soa);
  }
  {
    auto m = build(nodata("example.com."), "www.example.com.", RRType::A);
    CHECK(classify_response(m.view(), q).kind == ResponseKind::NoData);
  }
  {
    auto m = build(referral("www.example.com.", {"ns.www.example.com."},
                            {{"ns.www.example.com.", "192.0.2.53"}, {"ns.other.com.", "6.6.6.6"}}),
                   "www.example.com.", RRType::A);
    auto c = classify_response(m.view(), q);
    CHECK(c.kind == ResponseKind::Referral);
    CHECK(c.glue.size() == 1);
    CHECK(c.scrubbed == 1);
  }
  {
    auto m = build(rcode(wire::Rcode::Refused), "www.example.com.", RRType::A);
    CHECK(classify_response(m.view(), q).kind == ResponseKind::Refused);
  }
  {
    auto m = build(rcode(wire::Rcode::ServFail), "www.example.com.", RRType::A);
    CHECK(classify_response(m.view(), q).kind == ResponseKind::ServerFailure);
  }
  {
    auto m = build(rcode(wire::Rcode::FormErr), "www.example.com.", RRType::A);
    CHECK(classify_response(m.view(), q).kind == ResponseKind::FormErr);
  }
  {
    // Not authoritative, no referral: lame.
    SimReply r;
    auto m = build(r, "www.example.com.", RRType::A);
    CHECK(classify_response(m.view(), q).kind == ResponseKind::Lame);
  }
  {
    // Referral to the zone itself (not below it): lame.
    auto m = build(referral("example.com.", {"ns1.example.com."}), "www.example.com.", RRType::A);
    CHECK(classify_response(m.view(), q).kind == ResponseKind::Lame);
  }
}

TEST_CASE("records outside the zone asked are never used", "[engine][classify][poisoning]") {
  auto q = asked("example.com.", "www.example.com.", RRType::A);
  auto m = build(answer({"www.example.org. 60 IN A 6.6.6.6"}), "www.example.com.", RRType::A);
  auto c = classify_response(m.view(), q);
  CHECK(c.kind != ResponseKind::Answer);
  CHECK(c.answer.empty());
  CHECK(c.scrubbed == 1);
  // An SOA from another zone does not make a negative answer.
  auto n = build(nxdomain("org."), "www.example.com.", RRType::A);
  auto cn = classify_response(n.view(), q);
  CHECK(cn.kind == ResponseKind::NxDomain);
  CHECK_FALSE(cn.soa);
}

TEST_CASE("DNAME synthesis", "[engine][classify][dname]") {
  wire::RRset dname(wire::Name::from_text("old.example.").value(), RRType::DNAME, wire::RRClass::IN, 60);
  dname.add(wire::Name::from_text("new.example.").value().wire());
  auto c = synthesise_cname(dname, wire::Name::from_text("a.b.old.example.").value());
  REQUIRE(c);
  CHECK(c->owner.to_text() == "a.b.old.example.");
  CHECK(c->ttl == 60);
  // The owner itself is not below the DNAME.
  CHECK_FALSE(synthesise_cname(dname, wire::Name::from_text("old.example.").value()));
  // A result longer than 255 octets: no CNAME (YXDOMAIN).
  std::string longname;
  for (int i = 0; i < 4; ++i) longname += std::string(60, 'a') + ".";
  wire::RRset big(wire::Name::from_text("x.").value(), RRType::DNAME, wire::RRClass::IN, 60);
  big.add(wire::Name::from_text(longname).value().wire());
  CHECK_FALSE(synthesise_cname(big, wire::Name::from_text("abcdefghij.x.").value()));
}

TEST_CASE("an authoritative empty answer with an upward NS set is lame", "[engine][classify][lame]") {
  auto q = asked("example.com.", "www.example.com.", RRType::AAAA);
  auto m = build(answer({}).auth(". 3600 IN NS a.root-servers.net."), "www.example.com.",
                 RRType::AAAA);
  CHECK(classify_response(m.view(), q).kind == ResponseKind::Lame);
}

TEST_CASE("glue inside the asked zone for an NS target outside the child is kept",
          "[engine][classify][glue]") {
  // The root's referral to com. with glue for a.gtld-servers.net. (in the root's bailiwick).
  auto q = asked(".", "www.example.com.", RRType::A);
  auto m = build(referral("com.", {"a.gtld-servers.net."}, {{"a.gtld-servers.net.", "192.5.6.30"}})
                     .add("unrelated.net. 3600 IN A 6.6.6.6"),
                 "www.example.com.", RRType::A);
  auto c = classify_response(m.view(), q);
  REQUIRE(c.kind == ResponseKind::Referral);
  REQUIRE(c.glue.size() == 1);
  CHECK(c.glue[0].owner.to_text() == "a.gtld-servers.net.");
  CHECK(c.scrubbed == 1);
}
