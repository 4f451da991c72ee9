// Forward and stub zones (issue #15): which servers a configured zone sends to, with which RD
// bit, how forwarder answers are read, the forward-first fallback, stub priming, the allow rule
// for named addresses, and swapping the table at run time.
#include <catch2/catch.hpp>

#include <memory>

#include "example_tree.h"
#include "resolver/engine/zone_routes.h"

using namespace tern;
using namespace tern::testsupport;
using engine::ConfiguredZone;
using wire::RRType;

namespace {

ConfiguredZone zone(ConfiguredZone::Kind kind, std::string_view name, std::vector<std::string> addrs) {
  ConfiguredZone z;
  z.kind = kind;
  z.name = wire::Name::from_text(name).value();
  for (const auto& a : addrs) z.addresses.push_back(addr(a));
  return z;
}

ConfiguredZone forward(std::string_view name, std::vector<std::string> addrs, bool first = false) {
  auto z = zone(ConfiguredZone::Kind::Forward, name, std::move(addrs));
  z.first = first;
  return z;
}

ConfiguredZone stub(std::string_view name, std::vector<std::string> addrs, bool prime = false) {
  auto z = zone(ConfiguredZone::Kind::Stub, name, std::move(addrs));
  z.prime = prime;
  return z;
}

engine::EngineConfig with_zones(std::vector<ConfiguredZone> zones) {
  auto cfg = no_minimisation();
  cfg.zone_routes = std::make_shared<engine::ZoneRoutes>(std::move(zones));
  return cfg;
}

// A recursive resolver's answer: AA=0, RA=1.
SimReply recursive_answer(std::vector<std::string> records) {
  auto r = answer(std::move(records));
  r.aa = false;
  r.ra = true;
  return r;
}

size_t sent_to(const Harness& h, std::string_view a) {
  size_t n = 0;
  for (const auto& q : h.net.sent()) n += q.server == addr(a);
  return n;
}

const char* kFwd1 = "10.1.0.1";  // private: refused as an upstream unless a zone names it
const char* kFwd2 = "10.1.0.2";

}  // namespace

TEST_CASE("ZoneRoutes: the longest configured zone wins", "[engine][forward]") {
  engine::ZoneRoutes r({forward(".", {"192.0.2.1"}), forward("corp.example.", {kFwd1}),
                        stub("lab.corp.example.", {kFwd2})});
  auto find = [&](std::string_view n) { return r.find(wire::Name::from_text(n).value()); };
  CHECK(find("www.example.com.")->name.to_text() == ".");
  CHECK(find("corp.example.")->name.to_text() == "corp.example.");
  CHECK(find("a.b.corp.example.")->name.to_text() == "corp.example.");
  CHECK(find("x.lab.corp.example.")->kind == ConfiguredZone::Kind::Stub);
  auto skip = wire::Name::from_text("corp.example.").value();
  CHECK(r.find(wire::Name::from_text("www.corp.example.").value(), &skip)->name.is_root());
  CHECK(r.named_for(addr(kFwd1), wire::Name::from_text("x.corp.example.").value()));
  CHECK_FALSE(r.named_for(addr(kFwd1), wire::Name::from_text("example.com.").value()));
  CHECK_FALSE(r.named_for(addr(kFwd1), wire::Name::from_text("lab.corp.example.").value()));
}

TEST_CASE("a forward zone sends its names to the forwarders with RD=1 and takes AA=0 answers",
          "[engine][forward]") {
  Harness h(with_zones({forward("corp.example.", {kFwd1})}));
  build_example_tree(h);
  h.net.on(addr(kFwd1), "www.corp.example.", RRType::A,
           recursive_answer({"www.corp.example. 300 IN A 10.9.9.9"}));
  auto a = h.resolve("www.corp.example.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.corp.example. A 10.9.9.9"});
  REQUIRE(h.net.sent().size() == 1);  // no priming, no root: the forwarder only
  CHECK(h.net.sent()[0].server == addr(kFwd1));
  CHECK(h.net.sent()[0].rd);
  CHECK(h.net.sent()[0].qname.to_text() == "www.corp.example.");  // never minimised

  // A name outside the zone is iterated as usual, RD=0, and the forwarder is not asked.
  h.net.clear_sent();
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, answer({"www.example.com. 60 IN A 203.0.113.5"}));
  auto b = h.resolve("www.example.com.", RRType::A);
  REQUIRE(b);
  CHECK(b->rcode == wire::Rcode::NoError);
  CHECK(sent_to(h, kFwd1) == 0);
  for (const auto& q : h.net.sent()) CHECK_FALSE(q.rd);
}

TEST_CASE("name = \".\" forwards everything, without priming", "[engine][forward]") {
  Harness h(with_zones({forward(".", {kFwd1})}));
  h.net.on_any(addr(kFwd1), recursive_answer({"www.example.com. 60 IN A 203.0.113.5"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  REQUIRE(h.net.sent().size() == 1);
  CHECK(h.net.sent()[0].server == addr(kFwd1));
  CHECK(h.net.sent()[0].rd);
}

TEST_CASE("the longest matching forward zone wins", "[engine][forward]") {
  Harness h(with_zones({forward(".", {"192.0.2.1"}), forward("corp.example.", {kFwd1}),
                        forward("eu.corp.example.", {kFwd2})}));
  h.net.on_any(addr(kFwd1), recursive_answer({"a.corp.example. 60 IN A 10.0.0.1"}));
  h.net.on_any(addr(kFwd2), recursive_answer({"a.eu.corp.example. 60 IN A 10.0.0.2"}));
  REQUIRE(h.resolve("a.eu.corp.example.", RRType::A)->rcode == wire::Rcode::NoError);
  REQUIRE(h.resolve("a.corp.example.", RRType::A)->rcode == wire::Rcode::NoError);
  REQUIRE(h.net.sent().size() == 2);
  CHECK(h.net.sent()[0].server == addr(kFwd2));
  CHECK(h.net.sent()[1].server == addr(kFwd1));
}

TEST_CASE("forwarder NODATA without SOA and NXDOMAIN are answers, not lameness", "[engine][forward]") {
  Harness h(with_zones({forward("corp.example.", {kFwd1})}));
  SimReply nodata_no_soa;
  nodata_no_soa.ra = true;
  h.net.on(addr(kFwd1), "host.corp.example.", RRType::AAAA, nodata_no_soa);
  auto nx = nxdomain("corp.example.");
  nx.aa = false;
  h.net.on(addr(kFwd1), "gone.corp.example.", RRType::A, nx);
  auto a = h.resolve("host.corp.example.", RRType::AAAA);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(a->answer.empty());
  CHECK_FALSE(a->failure);
  auto b = h.resolve("gone.corp.example.", RRType::A);
  REQUIRE(b);
  CHECK(b->rcode == wire::Rcode::NXDomain);
  CHECK(h.engine->stats().lame_marks == 0);
}

TEST_CASE("a referral from a forwarder is an error: never followed, the next forwarder is asked",
          "[engine][forward]") {
  Harness h(with_zones({forward("corp.example.", {kFwd1, kFwd2})}));
  h.net.on_any(addr(kFwd1), referral("www.corp.example.", {"ns.evil.example."},
                                     {{"ns.evil.example.", "192.0.2.66"}}));
  h.net.on_any(addr(kFwd2), recursive_answer({"www.corp.example. 60 IN A 10.0.0.7"}));
  auto a = h.resolve("www.corp.example.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(sent_to(h, "192.0.2.66") == 0);
  CHECK(sent_to(h, kFwd2) == 1);
}

TEST_CASE("forwarders that are down: SERVFAIL within the deadline", "[engine][forward]") {
  Harness h(with_zones({forward("corp.example.", {kFwd1})}));
  build_example_tree(h);
  h.net.on_any(addr(kFwd1), timeout());
  auto start = h.clock.mono();
  auto a = h.resolve("www.corp.example.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(h.clock.mono() - start <= h.config.resolve_deadline);
  CHECK(sent_to(h, h.root().host_to_string()) == 0);  // no iteration without first = true
  for (const auto& q : h.net.sent()) CHECK(q.server == addr(kFwd1));
}

TEST_CASE("forward-first: when the forwarders fail, the name is iterated", "[engine][forward]") {
  Harness h(with_zones({forward("example.com.", {kFwd1}, /*first=*/true)}));
  build_example_tree(h);
  h.net.on_any(addr(kFwd1), timeout());
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, answer({"www.example.com. 60 IN A 203.0.113.5"}));
  auto start = h.clock.mono();
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.5"});
  CHECK(h.clock.mono() - start < h.config.resolve_deadline);
  CHECK(sent_to(h, kFwd1) == h.config.max_attempts_per_server);  // one round, then iteration
  CHECK(sent_to(h, kNs1) == 1);

  // A forwarder answering SERVFAIL falls back at once.
  Harness g(with_zones({forward("example.com.", {kFwd1}, /*first=*/true)}));
  build_example_tree(g);
  g.net.on_any(addr(kFwd1), rcode(wire::Rcode::ServFail));
  g.net.on(addr(kNs1), "www.example.com.", RRType::A, answer({"www.example.com. 60 IN A 203.0.113.5"}));
  auto b = g.resolve("www.example.com.", RRType::A);
  REQUIRE(b);
  CHECK(b->rcode == wire::Rcode::NoError);
  CHECK(sent_to(g, kFwd1) == 1);
}

TEST_CASE("a stub zone iterates from its named servers with RD=0", "[engine][stub]") {
  Harness h(with_zones({stub("corp.example.", {kFwd1})}));
  build_example_tree(h);
  h.net.on_subdomain(addr(kFwd1), "eu.corp.example.",
                     referral("eu.corp.example.", {"ns.eu.corp.example."},
                              {{"ns.eu.corp.example.", "192.0.2.77"}}));
  h.net.on(addr("192.0.2.77"), "www.eu.corp.example.", RRType::A,
           answer({"www.eu.corp.example. 60 IN A 10.7.7.7"}));
  auto a = h.resolve("www.eu.corp.example.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  REQUIRE(h.net.sent().size() == 2);
  CHECK(h.net.sent()[0].server == addr(kFwd1));
  CHECK(h.net.sent()[1].server == addr("192.0.2.77"));
  for (const auto& q : h.net.sent()) CHECK_FALSE(q.rd);
}

TEST_CASE("stub servers are held to authoritative rules: a lame one is passed over", "[engine][stub]") {
  Harness h(with_zones({stub("corp.example.", {kFwd1, kFwd2})}));
  SimReply lame;  // AA=0, no referral, no SOA: not authoritative for the zone
  lame.ans("www.corp.example. 60 IN A 10.6.6.6");
  lame.aa = false;
  lame.answer.clear();
  h.net.on_any(addr(kFwd1), lame);
  h.net.on_any(addr(kFwd2), answer({"www.corp.example. 60 IN A 10.0.0.8"}));
  auto a = h.resolve("www.corp.example.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.corp.example. A 10.0.0.8"});
  CHECK(sent_to(h, kFwd1) == 1);
}

TEST_CASE("stub prime = true asks the named servers for the zone's NS set first", "[engine][stub]") {
  auto cfg = with_zones({stub("corp.example.", {kFwd1}, /*prime=*/true)});
  cfg.upstream_allow = {*engine::Cidr::parse("10.0.0.0/8")};
  Harness h(cfg);
  h.net.on(addr(kFwd1), "corp.example.", RRType::NS,
           answer({"corp.example. 3600 IN NS ns2.corp.example."})
               .add("ns2.corp.example. 3600 IN A 10.2.2.2")
               .add("outside.example. 3600 IN A 10.6.6.6"));
  h.net.on_any(addr("10.2.2.2"), answer({"www.corp.example. 60 IN A 10.0.0.9"}));
  auto a = h.resolve("www.corp.example.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  std::string sent;
  for (const auto& line : h.net.sent_text()) sent += line + "\n";
  INFO(sent);
  REQUIRE(h.net.sent().size() == 2);
  CHECK(h.net.sent()[0].qtype == RRType::NS);
  CHECK(h.net.sent()[1].server == addr("10.2.2.2"));
  // Glue for a name outside the stub zone is not believed.
  CHECK_FALSE(h.caches.rrsets().lookup(wire::Name::from_text("outside.example.").value(), RRType::A,
                                    wire::RRClass::IN, h.clock.now()));
  // The primed NS set is reused: the next question goes straight to the primed server.
  h.net.clear_sent();
  REQUIRE(h.resolve("mail.corp.example.", RRType::A)->rcode == wire::Rcode::NoError);
  REQUIRE(h.net.sent().size() == 1);
  CHECK(h.net.sent()[0].server == addr("10.2.2.2"));
}

TEST_CASE("named addresses are allowed for their zone only", "[engine][forward][policy]") {
  // 10.1.0.1 is private: refused by the default rule, except for the zone that names it.
  Harness h(with_zones({stub("corp.example.", {kFwd1})}));
  build_example_tree(h);
  h.net.on_any(addr(kFwd1), answer({"www.corp.example. 60 IN A 10.0.0.1"}));
  REQUIRE(h.resolve("www.corp.example.", RRType::A)->rcode == wire::Rcode::NoError);
  // The same address as a public zone's server stays refused.
  h.net.on_subdomain(addr(kComServer), "other.com.",
                     referral("other.com.", {"ns.other.com."}, {{"ns.other.com.", kFwd1}}));
  h.net.clear_sent();
  auto a = h.resolve("www.other.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  CHECK(sent_to(h, kFwd1) == 0);
}

TEST_CASE("a new table applies to new resolutions", "[engine][forward]") {
  Harness h(with_zones({forward("corp.example.", {kFwd1})}));
  h.net.on_any(addr(kFwd1), recursive_answer({"a.corp.example. 0 IN A 10.0.0.1"}));
  h.net.on_any(addr(kFwd2), recursive_answer({"b.corp.example. 0 IN A 10.0.0.2"}));
  REQUIRE(h.resolve("a.corp.example.", RRType::A)->rcode == wire::Rcode::NoError);
  h.engine->set_zone_routes(std::make_shared<engine::ZoneRoutes>(
      std::vector<ConfiguredZone>{forward("corp.example.", {kFwd2})}));
  REQUIRE(h.resolve("b.corp.example.", RRType::A)->rcode == wire::Rcode::NoError);
  REQUIRE(h.net.sent().size() == 2);
  CHECK(h.net.sent()[1].server == addr(kFwd2));
}

TEST_CASE("tls = true: every query to the forwarders over TLS, a failed handshake never retried in cleartext",
          "[engine][forward][tls]") {
  auto z = forward("corp.example.", {"10.1.0.1:853", "10.1.0.2:853"});
  z.tls = true;
  z.tls_name = "dns.corp.example.";
  Harness h(with_zones({z}));
  SimReply bad_certificate;
  bad_certificate.error = engine::TransportError::ConnectionFailed;
  h.net.on_any(addr("10.1.0.1:853"), bad_certificate);
  h.net.on_any(addr("10.1.0.2:853"), recursive_answer({"www.corp.example. 60 IN A 10.0.0.7"}));
  auto a = h.resolve("www.corp.example.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  REQUIRE(h.net.sent().size() == 2);  // one try per forwarder: a failed handshake is final
  for (const auto& q : h.net.sent()) CHECK(q.protocol == engine::Protocol::Tls);

  // Both fail: SERVFAIL, still nothing in cleartext.
  Harness g(with_zones({z}));
  g.net.on_any(addr("10.1.0.1:853"), bad_certificate);
  g.net.on_any(addr("10.1.0.2:853"), bad_certificate);
  auto b = g.resolve("www.corp.example.", RRType::A);
  REQUIRE(b);
  CHECK(b->rcode == wire::Rcode::ServFail);
  for (const auto& q : g.net.sent()) CHECK(q.protocol == engine::Protocol::Tls);
}
