#include <catch2/catch.hpp>

#include "resolver/server/local_policy.h"
#include "resolver/server/local_policy_builder.h"
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

// A policy built the way ternd builds it, from a configuration (and a hosts file's text).
struct Policy {
  std::shared_ptr<const LocalPolicy> p;
  explicit Policy(std::vector<std::string> disabled = {},
                  const std::function<void(config::Config&)>& tweak = {}, std::string_view hosts = {}) {
    config::Config cfg = config::default_config();
    cfg.server.no_local_zones = std::move(disabled);
    if (tweak) tweak(cfg);
    if (!hosts.empty()) cfg.local.hosts_file = "test-hosts";
    LocalPolicyBuild b = build_local_policy(cfg, hosts);
    INFO(b.error);
    REQUIRE(b.policy);
    p = b.policy;
  }
  LocalDecision decide(const ClientQuery& q) const { return p->decide(q); }
  // The local answer, or nullopt when the query is resolved (or dropped).
  std::optional<Sections> answer(const ClientQuery& q) const {
    LocalDecision d = p->decide(q);
    if (d.kind != LocalDecision::Kind::Answer) return std::nullopt;
    return d.sections;
  }
};

config::LocalZoneConfig zone(std::string n, std::string type) { return {std::move(n), std::move(type), "t.toml:1"}; }
config::LocalDataConfig rr(std::string text, uint32_t line = 2) {
  return {std::move(text), false, "t.toml:" + std::to_string(line)};
}
config::LocalDataConfig ptr(std::string text) { return {std::move(text), true, "t.toml:3"}; }

}  // namespace

TEST_CASE("localhost. answers loopback addresses (RFC 6761 6.3)") {
  Policy z;
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
  Policy z;
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
  Policy z;
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
  Policy z;
  for (const char* n : {"invalid.", "x.invalid.", "a.b.INVALID."}) {
    auto r = z.answer(ask(n, RRType::A));
    REQUIRE(r);
    CHECK(r->rcode == Rcode::NXDomain);
  }
}

TEST_CASE("ANY for a name outside the local zones is resolved, ordinary names too") {
  Policy z;
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
  Policy z({"invalid.", "10.in-addr.arpa."});
  CHECK_FALSE(z.answer(ask("www.example.invalid.", RRType::A)));
  CHECK_FALSE(z.answer(ask("1.2.3.10.in-addr.arpa.", RRType::PTR)));
  CHECK(z.answer(ask("localhost.", RRType::A)));
}

// --- configured local zones and data (issue #15), one case per zone type --------------------

namespace {

auto corp(std::string type, std::vector<config::LocalDataConfig> data = {}) {
  return [type, data](config::Config& c) {
    c.local.zones.push_back(zone("corp.example.", type));
    c.local.data = data;
  };
}

std::vector<config::LocalDataConfig> printer_data() {
  return {rr("corp.example. 600 IN SOA ns.corp.example. admin.corp.example. 1 3600 600 86400 300"),
          rr("printer.corp.example. 300 IN A 192.0.2.7"),
          rr("alias.corp.example. 300 IN CNAME printer.corp.example."),
          rr("a.deep.corp.example. 300 IN TXT \"hello\"")};
}

}  // namespace

TEST_CASE("static: local data answers with AA, the rest is NXDOMAIN / NODATA with the SOA") {
  Policy z({}, corp("static", printer_data()));
  auto a = z.answer(ask("Printer.corp.example.", RRType::A));
  REQUIRE(a);
  CHECK(a->authoritative);
  CHECK(a->rcode == Rcode::NoError);
  REQUIRE(a->answer.size() == 1);
  CHECK(a->answer[0].owner.to_text() == "Printer.corp.example.");
  CHECK(a->answer[0].ttl == 300);
  CHECK(wire::rdata_a(*a->answer[0].begin()) == std::array<uint8_t, 4>{192, 0, 2, 7});

  auto nodata = z.answer(ask("printer.corp.example.", RRType::AAAA));
  REQUIRE(nodata);
  CHECK(nodata->rcode == Rcode::NoError);
  CHECK(nodata->answer.empty());
  REQUIRE(nodata->authority.size() == 1);
  CHECK(nodata->authority[0].type == RRType::SOA);

  auto nx = z.answer(ask("nothere.corp.example.", RRType::A));
  REQUIRE(nx);
  CHECK(nx->rcode == Rcode::NXDomain);
  CHECK(nx->authority.size() == 1);

  // An empty non-terminal exists: NODATA, not NXDOMAIN.
  auto ent = z.answer(ask("deep.corp.example.", RRType::A));
  REQUIRE(ent);
  CHECK(ent->rcode == Rcode::NoError);

  // A CNAME answers any type at its name, followed inside the local data.
  auto alias = z.answer(ask("alias.corp.example.", RRType::A));
  REQUIRE(alias);
  REQUIRE(alias->answer.size() == 2);
  CHECK(alias->answer[0].type == RRType::CNAME);
  CHECK(alias->answer[1].type == RRType::A);
  CHECK(alias->answer[1].owner.to_text() == "printer.corp.example.");
  auto cname = z.answer(ask("alias.corp.example.", RRType::CNAME));
  REQUIRE(cname);
  CHECK(cname->answer.size() == 1);

  // Outside the zone: resolved.
  CHECK(z.decide(ask("www.example.", RRType::A)).kind == LocalDecision::Kind::Resolve);
}

TEST_CASE("a local CNAME loop is not followed twice") {
  Policy z({}, corp("static", {rr("a.corp.example. CNAME b.corp.example."),
                               rr("b.corp.example. CNAME a.corp.example.")}));
  auto r = z.answer(ask("a.corp.example.", RRType::A));
  REQUIRE(r);
  CHECK(r->answer.size() == 2);  // a -> b, b -> a: then a is already there
}

TEST_CASE("transparent: local data first, other names and types resolved") {
  Policy z({}, corp("transparent", printer_data()));
  auto a = z.answer(ask("printer.corp.example.", RRType::A));
  REQUIRE(a);
  CHECK(a->answer.size() == 1);
  // The name has local data, not of this type: NODATA (local data overrides), as Unbound does.
  auto nodata = z.answer(ask("printer.corp.example.", RRType::AAAA));
  REQUIRE(nodata);
  CHECK(nodata->answer.empty());
  CHECK(z.decide(ask("www.corp.example.", RRType::A)).kind == LocalDecision::Kind::Resolve);
}

TEST_CASE("redirect: every name under the zone gets the apex's data") {
  Policy z({}, corp("redirect", {rr("corp.example. 60 IN A 192.0.2.1")}));
  for (const char* n : {"corp.example.", "x.corp.example.", "a.b.c.corp.example."}) {
    INFO(n);
    auto a = z.answer(ask(n, RRType::A));
    REQUIRE(a);
    REQUIRE(a->answer.size() == 1);
    CHECK(a->answer[0].owner.to_text() == n);
    CHECK(wire::rdata_a(*a->answer[0].begin()) == std::array<uint8_t, 4>{192, 0, 2, 1});
  }
  auto aaaa = z.answer(ask("x.corp.example.", RRType::AAAA));
  REQUIRE(aaaa);
  CHECK(aaaa->rcode == Rcode::NoError);
  CHECK(aaaa->answer.empty());
}

TEST_CASE("refuse and deny: REFUSED or dropped, unless local data has the exact answer") {
  Policy refuse({}, corp("refuse", {rr("ok.corp.example. A 192.0.2.2")}));
  auto r = refuse.answer(ask("www.corp.example.", RRType::A));
  REQUIRE(r);
  CHECK(r->rcode == Rcode::Refused);
  CHECK_FALSE(r->authoritative);
  auto ok = refuse.answer(ask("ok.corp.example.", RRType::A));
  REQUIRE(ok);
  CHECK(ok->answer.size() == 1);
  CHECK(ok->answer[0].ttl == 3600);  // local-data's default TTL

  Policy deny({}, corp("deny", {rr("ok.corp.example. A 192.0.2.2")}));
  CHECK(deny.decide(ask("www.corp.example.", RRType::A)).kind == LocalDecision::Kind::Drop);
  CHECK(deny.decide(ask("ok.corp.example.", RRType::A)).kind == LocalDecision::Kind::Answer);
}

TEST_CASE("always-nxdomain and always-nodata ignore local data") {
  Policy nx({}, corp("always-nxdomain", {rr("ok.corp.example. A 192.0.2.2")}));
  auto a = nx.answer(ask("ok.corp.example.", RRType::A));
  REQUIRE(a);
  CHECK(a->rcode == Rcode::NXDomain);
  CHECK(a->answer.empty());
  CHECK(nx.answer(ask("corp.example.", RRType::A))->rcode == Rcode::NXDomain);

  Policy nodata({}, corp("always-nodata", {rr("ok.corp.example. A 192.0.2.2")}));
  auto b = nodata.answer(ask("ok.corp.example.", RRType::A));
  REQUIRE(b);
  CHECK(b->rcode == Rcode::NoError);
  CHECK(b->answer.empty());
}

TEST_CASE("local data outside every zone makes a transparent zone at its name") {
  Policy z({}, [](config::Config& c) { c.local.data = {rr("nas.home.arpa. 300 IN A 192.168.1.5")}; });
  CHECK(z.answer(ask("nas.home.arpa.", RRType::A))->answer.size() == 1);
  CHECK(z.answer(ask("nas.home.arpa.", RRType::AAAA))->answer.empty());
  CHECK(z.decide(ask("other.home.arpa.", RRType::A)).kind == LocalDecision::Kind::Resolve);
}

TEST_CASE("a private reverse zone: local-data-ptr inside the built-in RFC 1918 zone") {
  Policy z({}, [](config::Config& c) {
    c.local.data = {ptr("10.1.2.3 fileserver.corp.example."), ptr("10.1.2.4 60 backup.corp.example.")};
  });
  auto p = z.answer(ask("3.2.1.10.in-addr.arpa.", RRType::PTR));
  REQUIRE(p);
  REQUIRE(p->answer.size() == 1);
  CHECK(wire::rdata_target(RRType::PTR, *p->answer[0].begin())->to_text() == "fileserver.corp.example.");
  CHECK(z.answer(ask("4.2.1.10.in-addr.arpa.", RRType::PTR))->answer[0].ttl == 60);
  // The rest of 10.in-addr.arpa. is still the built-in static zone.
  CHECK(z.answer(ask("5.2.1.10.in-addr.arpa.", RRType::PTR))->rcode == Rcode::NXDomain);
}

TEST_CASE("a configured zone replaces the built-in zone at the same apex") {
  // transparent: the private reverse zone is resolved (or forwarded, later) except local data.
  Policy z({}, [](config::Config& c) {
    c.local.zones.push_back(zone("10.in-addr.arpa.", "transparent"));
    c.local.data = {ptr("10.1.2.3 fileserver.corp.example.")};
  });
  CHECK(z.answer(ask("3.2.1.10.in-addr.arpa.", RRType::PTR))->answer.size() == 1);
  CHECK(z.decide(ask("5.2.1.10.in-addr.arpa.", RRType::PTR)).kind == LocalDecision::Kind::Resolve);
  // The built-in SOA went with the built-in zone.
  CHECK(z.decide(ask("10.in-addr.arpa.", RRType::SOA)).kind == LocalDecision::Kind::Resolve);
  // Other built-in zones are untouched.
  CHECK(z.answer(ask("1.1.168.192.in-addr.arpa.", RRType::PTR))->rcode == Rcode::NXDomain);
}

TEST_CASE("hosts file: forward and reverse names") {
  Policy z({}, {},
           "127.0.0.1 localhost\n"
           "192.0.2.7 printer.corp.example printer\n"
           "2001:db8::7 printer.corp.example\n"
           "bogus line here\n");
  CHECK(wire::rdata_a(*z.answer(ask("printer.corp.example.", RRType::A))->answer[0].begin()) ==
        std::array<uint8_t, 4>{192, 0, 2, 7});
  CHECK(z.answer(ask("printer.", RRType::A))->answer.size() == 1);
  CHECK(z.answer(ask("printer.corp.example.", RRType::AAAA))->answer.size() == 1);
  auto rev = z.answer(ask("7.2.0.192.in-addr.arpa.", RRType::PTR));
  REQUIRE(rev);
  REQUIRE(rev->answer.size() == 1);  // one PTR, to the first name
  CHECK(wire::rdata_target(RRType::PTR, *rev->answer[0].begin())->to_text() == "printer.corp.example.");
  // localhost stays as RFC 6761 has it (the hosts line adds nothing new).
  CHECK(z.answer(ask("localhost.", RRType::A))->answer[0].size() == 1);
}

TEST_CASE("a malformed local-data line is an error naming its file and line") {
  config::Config cfg = config::default_config();
  cfg.local.data = {rr("ok.example. A 192.0.2.1", 4), rr("bad.example. A 192.0.2.300", 9)};
  LocalPolicyBuild b = build_local_policy(cfg, "");
  CHECK_FALSE(b.policy);
  CHECK(b.error.find("t.toml:9") != std::string::npos);
  CHECK(b.error.find("bad.example.") != std::string::npos);

  cfg.local.data = {ptr("not-an-address host.example.")};
  b = build_local_policy(cfg, "");
  CHECK_FALSE(b.policy);
  CHECK(b.error.find("t.toml:3") != std::string::npos);

  cfg.local.data = {rr("x.example. CH A 192.0.2.1")};
  CHECK_FALSE(build_local_policy(cfg, "").policy);
}

TEST_CASE("equal inputs give equal fingerprints; a changed record changes it") {
  auto data = [](std::string addr) {
    return [addr](config::Config& c) { c.local.data = {rr("h.corp.example. 60 A " + addr)}; };
  };
  CHECK(Policy({}, data("192.0.2.1")).p->fingerprint() == Policy({}, data("192.0.2.1")).p->fingerprint());
  CHECK(Policy({}, data("192.0.2.1")).p->fingerprint() != Policy({}, data("192.0.2.2")).p->fingerprint());
}
