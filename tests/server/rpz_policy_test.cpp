// The RPZ parser and the policy decision (rpz_parser.h, rpz_policy.h): each trigger, each action,
// and BIND's precedence between zones and between triggers.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include "resolver/server/rpz_parser.h"
#include "resolver/server/rpz_policy.h"
#include "resolver/server/rpz_transfer.h"
#include "test_util.h"
#include "wire/rdata.h"

using namespace tern;
using namespace tern::server;
using tern::server::test::name;
using wire::Rcode;
using wire::RRType;

namespace {

const char* kHead =
    "$TTL 300\n"
    "@ SOA ns.rpz.example. admin.rpz.example. ( 1 3600 600 86400\n"
    "      60 ) ; minimum\n"
    "  NS ns.rpz.example.\n";

std::shared_ptr<const RpzZone> zone(const std::string& body, const std::string& origin = "rpz.example.") {
  std::string text = kHead;
  text += body;
  RpzParseResult r = parse_rpz(text, name(origin));
  INFO(r.error_line << ": " << r.error);
  REQUIRE(r.zone);
  return std::make_shared<const RpzZone>(std::move(*r.zone));
}

RpzPolicyZone entry(const std::string& zone_name, std::shared_ptr<const RpzZone> data) {
  RpzPolicyZone z;
  z.name = zone_name;
  z.data = std::move(data);
  z.counters = std::make_shared<RpzCounters>();
  return z;
}

RpzPolicy policy(std::vector<std::string> bodies) {
  std::vector<RpzPolicyZone> zones;
  for (size_t i = 0; i < bodies.size(); ++i) zones.push_back(entry(std::string("z").append(std::to_string(i)), zone(bodies[i])));
  return RpzPolicy(std::move(zones));
}

ClientQuery ask(const std::string& qname, RRType type = RRType::A) {
  ClientQuery q;
  q.has_question = true;
  q.qname = name(qname);
  q.qtype = type;
  q.header.rd = true;
  return q;
}

sockaddr_storage v4(const char* text) {
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, text, &in->sin_addr);
  return ss;
}

sockaddr_storage v6(const char* text) {
  sockaddr_storage ss{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  in6->sin6_family = AF_INET6;
  inet_pton(AF_INET6, text, &in6->sin6_addr);
  return ss;
}

const sockaddr* sa(const sockaddr_storage& ss) { return reinterpret_cast<const sockaddr*>(&ss); }

Sections answer_a(const std::string& owner, const char* addr) {
  Sections s;
  wire::RRset set(name(owner), RRType::A, wire::RRClass::IN, 60);
  uint8_t b[4];
  inet_pton(AF_INET, addr, b);
  set.add({b, 4});
  s.answer.push_back(set);
  return s;
}

}  // namespace

TEST_CASE("rpz parser: triggers land in their tables, the apex SOA is kept") {
  auto z = zone(
      "bad.example.com CNAME .\n"
      "*.bad.example.com CNAME .\n"
      "32.1.2.0.192.rpz-client-ip CNAME rpz-drop.\n"
      "24.0.2.0.192.rpz-ip CNAME .\n"
      "64.zz.db8.2001.rpz-ip CNAME *.\n"
      "ns.evil.example.rpz-nsdname CNAME .\n"
      "32.9.2.0.192.rpz-nsip CNAME .\n");
  CHECK(z->qname.size() == 1);
  CHECK(z->qname_wildcard.size() == 1);
  CHECK(z->client_ip.size() == 1);
  CHECK(z->response_ip.size() == 2);
  CHECK(z->nsdname.size() == 1);
  CHECK(z->nsip.size() == 1);
  CHECK(z->rule_count() == 7);
  REQUIRE(z->soa);
  CHECK(z->soa->owner == name("rpz.example."));
}

TEST_CASE("rpz parser: a bad line is reported by number and nothing is loaded") {
  std::string text = kHead;
  text += "good.example CNAME .\n"
          "bad.example CNAME\n";  // line 6: no target
  RpzParseResult r = parse_rpz(text, name("rpz.example."));
  CHECK_FALSE(r.zone);
  CHECK(r.error_line == 6);
  CHECK_FALSE(r.error.empty());

  r = parse_rpz("x.example. CNAME .\n", name("rpz.example."));
  CHECK_FALSE(r.zone);
  CHECK(r.error.find("outside the policy zone") != std::string::npos);

  r = parse_rpz("33.1.2.0.192.rpz-ip CNAME .\n", name("rpz.example."));
  CHECK_FALSE(r.zone);
  CHECK(r.error_line == 1);

  r = parse_rpz("a.example CNAME .\na.example CNAME *.\n", name("rpz.example."));
  CHECK_FALSE(r.zone);
  CHECK(r.error.find("conflicting") != std::string::npos);

  r = parse_rpz("$INCLUDE /etc/passwd\n", name("rpz.example."));
  CHECK_FALSE(r.zone);

  r = parse_rpz("@ SOA ( a. b. 1 2 3 4 5\n", name("rpz.example."));
  CHECK_FALSE(r.zone);
  CHECK(r.error.find("parentheses") != std::string::npos);
}

TEST_CASE("rpz parser: max-rules refuses a larger zone") {
  std::string text;
  for (int i = 0; i < 5; ++i) text.append("n").append(std::to_string(i)).append(".example CNAME .\n");
  CHECK(parse_rpz(text, name("rpz.example."), 5).zone);
  RpzParseResult r = parse_rpz(text, name("rpz.example."), 4);
  CHECK_FALSE(r.zone);
  CHECK(r.error_line == 5);
}

TEST_CASE("rpz QNAME: exact names, case-insensitively, and only those") {
  RpzPolicy p = policy({"bad.example.com CNAME .\n"});
  auto hit = p.match_query(name("BAD.Example.COM."), nullptr);
  REQUIRE(hit);
  CHECK(hit->trigger == RpzTrigger::Qname);
  CHECK(hit->rule.action == RpzAction::Nxdomain);
  CHECK_FALSE(p.match_query(name("www.bad.example.com."), nullptr));
  CHECK_FALSE(p.match_query(name("example.com."), nullptr));
}

TEST_CASE("rpz wildcard QNAME: names below, not the name itself; exact beats wildcard; longest wildcard wins") {
  RpzPolicy p = policy({
      "*.example.com CNAME .\n"
      "*.deep.example.com CNAME *.\n"
      "ok.example.com CNAME rpz-passthru.\n"});
  CHECK_FALSE(p.match_query(name("example.com."), nullptr));
  CHECK(p.match_query(name("a.example.com."), nullptr)->rule.action == RpzAction::Nxdomain);
  CHECK(p.match_query(name("a.b.example.com."), nullptr)->rule.action == RpzAction::Nxdomain);
  CHECK(p.match_query(name("x.deep.example.com."), nullptr)->rule.action == RpzAction::Nodata);
  CHECK(p.match_query(name("ok.example.com."), nullptr)->rule.action == RpzAction::Passthru);
}

TEST_CASE("rpz actions: NXDOMAIN and NODATA carry the policy zone's SOA and EDE Blocked") {
  RpzPolicy p = policy({"nx.example CNAME .\nnd.example CNAME *.\n"});
  auto q = ask("nx.example.");
  RpzVerdict v = p.apply(*p.match_query(q.qname, nullptr), q, false);
  CHECK(v.kind == RpzVerdict::Kind::Answer);
  CHECK(v.sections.rcode == Rcode::NXDomain);
  REQUIRE(v.sections.authority.size() == 1);
  CHECK(v.sections.authority[0].type == RRType::SOA);
  REQUIRE(v.sections.ede);
  CHECK(uint16_t(v.sections.ede->code) == kEdeBlocked);

  q = ask("nd.example.");
  v = p.apply(*p.match_query(q.qname, nullptr), q, false);
  CHECK(v.sections.rcode == Rcode::NoError);
  CHECK(v.sections.answer.empty());
  CHECK(p.zones()[0].counters->hits[size_t(RpzAction::Nxdomain)] == 1);
  CHECK(p.zones()[0].counters->hits[size_t(RpzAction::Nodata)] == 1);
}

TEST_CASE("rpz actions: PASSTHRU, DROP, TCP-only (truncate over UDP, resolve over TCP)") {
  RpzPolicy p = policy({
      "pass.example CNAME rpz-passthru.\n"
      "self.example CNAME self.example.\n"  // the older PASSTHRU spelling
      "drop.example CNAME rpz-drop.\n"
      "tcp.example CNAME rpz-tcp-only.\n"});
  auto verdict = [&](const char* n, bool tcp) {
    auto q = ask(n);
    return p.apply(*p.match_query(q.qname, nullptr), q, tcp).kind;
  };
  CHECK(verdict("pass.example.", false) == RpzVerdict::Kind::Passthru);
  CHECK(verdict("self.example.", false) == RpzVerdict::Kind::Passthru);
  CHECK(verdict("drop.example.", false) == RpzVerdict::Kind::Drop);
  CHECK(verdict("tcp.example.", false) == RpzVerdict::Kind::Truncate);
  CHECK(verdict("tcp.example.", true) == RpzVerdict::Kind::Passthru);
}

TEST_CASE("rpz local data: records of the asked type, NODATA for others, a CNAME to a walled garden") {
  RpzPolicy p = policy({
      "ads.example A 192.0.2.80\n"
      "ads.example A 192.0.2.81\n"
      "ads.example TXT \"blocked\"\n"
      "tracker.example CNAME garden.example.net.\n"
      "*.wild.example CNAME *.garden.example.net.\n"});
  auto q = ask("ads.example.", RRType::A);
  RpzVerdict v = p.apply(*p.match_query(q.qname, nullptr), q, false);
  REQUIRE(v.sections.answer.size() == 1);
  CHECK(v.sections.answer[0].owner == name("ads.example."));
  CHECK(v.sections.answer[0].size() == 2);
  CHECK_FALSE(v.follow);

  q = ask("ads.example.", RRType::AAAA);
  v = p.apply(*p.match_query(q.qname, nullptr), q, false);
  CHECK(v.kind == RpzVerdict::Kind::Answer);
  CHECK(v.sections.answer.empty());
  CHECK(v.sections.rcode == Rcode::NoError);

  q = ask("tracker.example.", RRType::A);
  v = p.apply(*p.match_query(q.qname, nullptr), q, false);
  REQUIRE(v.sections.answer.size() == 1);
  CHECK(v.sections.answer[0].type == RRType::CNAME);
  REQUIRE(v.follow);
  CHECK(*v.follow == name("garden.example.net."));

  q = ask("x.wild.example.", RRType::A);
  v = p.apply(*p.match_query(q.qname, nullptr), q, false);
  REQUIRE(v.follow);
  CHECK(*v.follow == name("x.wild.example.garden.example.net."));
}

TEST_CASE("rpz client-IP: longest prefix, IPv4 and IPv6, before QNAME in the same zone") {
  RpzPolicy p = policy({
      "8.0.0.0.10.rpz-client-ip CNAME .\n"
      "32.7.0.0.10.rpz-client-ip CNAME rpz-passthru.\n"
      "48.zz.db8.2001.rpz-client-ip CNAME rpz-drop.\n"
      "name.example CNAME *.\n"});
  CHECK(p.client_dependent());
  auto a = v4("10.9.9.9"), b = v4("10.0.0.7"), c = v6("2001:db8::5"), d = v4("192.0.2.1");
  CHECK(p.match_query(name("any.example."), sa(a))->rule.action == RpzAction::Nxdomain);
  CHECK(p.match_query(name("any.example."), sa(b))->rule.action == RpzAction::Passthru);
  CHECK(p.match_query(name("any.example."), sa(c))->rule.action == RpzAction::Drop);
  CHECK_FALSE(p.match_query(name("any.example."), sa(d)));
  auto hit = p.match_query(name("name.example."), sa(a));
  CHECK(hit->trigger == RpzTrigger::ClientIp);  // client-IP before QNAME within a zone
  CHECK(p.match_query(name("name.example."), sa(d))->trigger == RpzTrigger::Qname);
  auto mapped = v6("::ffff:10.1.2.3");  // a dual-stack socket's IPv4 client
  CHECK(p.match_query(name("any.example."), sa(mapped))->rule.action == RpzAction::Nxdomain);
}

TEST_CASE("rpz response IP: the A/AAAA records of the answer, longest prefix, zones before the limit only") {
  RpzPolicy p = policy({
      "24.0.2.0.192.rpz-ip CNAME .\n"
      "32.66.2.0.192.rpz-ip CNAME *.\n"});
  CHECK(p.response_triggers_before(1));
  CHECK_FALSE(p.response_triggers_before(0));
  CHECK(p.match_response(answer_a("x.example.", "192.0.2.1"), SIZE_MAX)->rule.action == RpzAction::Nxdomain);
  CHECK(p.match_response(answer_a("x.example.", "192.0.2.66"), SIZE_MAX)->rule.action == RpzAction::Nodata);
  CHECK_FALSE(p.match_response(answer_a("x.example.", "198.51.100.1"), SIZE_MAX));
  CHECK_FALSE(p.match_response(answer_a("x.example.", "192.0.2.1"), 0));
}

TEST_CASE("rpz NSDNAME and NSIP: name servers of the answering zone, NSDNAME first") {
  RpzPolicy p = policy({
      "ns.evil.example.rpz-nsdname CNAME .\n"
      "*.bad-dns.example.rpz-nsdname CNAME *.\n"
      "24.0.2.0.192.rpz-nsip CNAME rpz-drop.\n"});
  auto a_set = [](std::vector<uint8_t> addr) {
    wire::RRset set(name("ns.example."), RRType::A, wire::RRClass::IN, 60);
    set.add(addr);
    return set;
  };
  wire::RRset in_net = a_set({192, 0, 2, 53});
  wire::RRset other = a_set({198, 51, 100, 53});
  CHECK(p.match_ns({name("ns.evil.example.")}, {}, SIZE_MAX)->rule.action == RpzAction::Nxdomain);
  CHECK(p.match_ns({name("a.bad-dns.example.")}, {}, SIZE_MAX)->rule.action == RpzAction::Nodata);
  CHECK(p.match_ns({name("ns.good.example.")}, {other, in_net}, SIZE_MAX)->trigger == RpzTrigger::Nsip);
  CHECK(p.match_ns({name("ns.evil.example.")}, {in_net}, SIZE_MAX)->trigger == RpzTrigger::Nsdname);
  CHECK_FALSE(p.match_ns({name("ns.good.example.")}, {other}, SIZE_MAX));
  // Through match_answer: the servers are asked for the answer's last owner, only when needed.
  Sections s = answer_a("www.victim.example.", "198.51.100.1");
  std::vector<std::string> asked;
  auto servers = [&](const wire::Name& n) {
    asked.push_back(n.to_text());
    return NameServers{{name("ns.evil.example.")}, {}};
  };
  auto hit = p.match_answer(name("www.victim.example."), s, servers, SIZE_MAX);
  REQUIRE(hit);
  CHECK(hit->trigger == RpzTrigger::Nsdname);
  CHECK(asked == std::vector<std::string>{"www.victim.example."});
  RpzPolicy ip_only = policy({"24.0.2.0.192.rpz-ip CNAME .\n"});
  asked.clear();
  CHECK_FALSE(ip_only.match_answer(name("www.victim.example."), s, servers, SIZE_MAX));
  CHECK(asked.empty());
}

TEST_CASE("rpz precedence: an earlier zone's NSDNAME beats a later zone's response IP") {
  RpzPolicy p = policy({"ns.evil.example.rpz-nsdname CNAME rpz-drop.\n", "32.1.100.51.198.rpz-ip CNAME .\n"});
  Sections s = answer_a("www.victim.example.", "198.51.100.1");
  auto servers = [](const wire::Name&) { return NameServers{{name("ns.evil.example.")}, {}}; };
  auto hit = p.match_answer(name("www.victim.example."), s, servers, SIZE_MAX);
  REQUIRE(hit);
  CHECK(hit->zone == 0);
  CHECK(hit->rule.action == RpzAction::Drop);
  auto clean = [](const wire::Name&) { return NameServers{{name("ns.good.example.")}, {}}; };
  hit = p.match_answer(name("www.victim.example."), s, clean, SIZE_MAX);
  REQUIRE(hit);
  CHECK(hit->zone == 1);
  CHECK(hit->trigger == RpzTrigger::ResponseIp);
}

TEST_CASE("rpz precedence: the first zone in order with a match wins") {
  RpzPolicy p = policy({
      "a.example CNAME rpz-passthru.\n",
      "a.example CNAME .\n"
      "b.example CNAME .\n"});
  auto a = p.match_query(name("a.example."), nullptr);
  CHECK(a->zone == 0);
  CHECK(a->rule.action == RpzAction::Passthru);
  auto b = p.match_query(name("b.example."), nullptr);
  CHECK(b->zone == 1);
  // A QNAME match in zone 1 with response-IP triggers in zone 0: the answer must be checked
  // against zone 0 first (qname-wait-recurse).
  RpzPolicy q = policy({"24.0.2.0.192.rpz-ip CNAME rpz-drop.\n", "b.example CNAME .\n"});
  auto hit = q.match_query(name("b.example."), nullptr);
  REQUIRE(hit);
  CHECK(hit->zone == 1);
  CHECK(q.response_triggers_before(hit->zone));
}

TEST_CASE("rpz name table: many names, all found, none invented") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text.append("host").append(std::to_string(i)).append(".example CNAME .\n");
  RpzParseResult r = parse_rpz(text, name("rpz.example."));
  REQUIRE(r.zone);
  CHECK(r.zone->qname.size() == 5000);
  RpzPolicy p({entry("z", std::make_shared<const RpzZone>(std::move(*r.zone)))});
  for (int i = 0; i < 5000; i += 97) CHECK(p.match_query(name(std::string("HOST").append(std::to_string(i)).append(".example.")), nullptr));
  CHECK_FALSE(p.match_query(name("host5000.example."), nullptr));
}

TEST_CASE("rpz ede setting text") {
  std::optional<uint16_t> e;
  CHECK(rpz_ede_from_text("filtered", e));
  CHECK(e == kEdeFiltered);
  CHECK(rpz_ede_from_text("none", e));
  CHECK_FALSE(e);
  CHECK_FALSE(rpz_ede_from_text("nope", e));
}

TEST_CASE("rpz transfer: SOA fields, refresh clamped") {
  auto rr = wire::rr_from_text("rpz.example. SOA ns.rpz.example. admin.rpz.example. 42 0 7 86400 60", name("."));
  REQUIRE(rr);
  auto soa = rpz_soa_of(rr->rdata);
  REQUIRE(soa);
  CHECK(soa->serial == 42);
  CHECK(soa->refresh == kRpzMinRefreshSeconds);
  CHECK(soa->retry == 7);
  CHECK_FALSE(rpz_soa_of(std::vector<uint8_t>{0, 0, 1, 2}));
}
