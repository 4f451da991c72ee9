// The replay machinery on small inline scenarios: Deckard's comparison rules, reply building with
// ADJUST, which entry answers which query, and whole runs whose verdicts must come out right
// (a wrong expectation fails, an unanswered query fails strict mode only).
#include <catch2/catch.hpp>

#include "expected_failures.h"
#include "replay_driver.h"
#include "replay_message.h"
#include "replay_responder.h"
#include "rpl_parser.h"
#include "wire/message_builder.h"
#include "wire/message_view.h"

namespace {

using namespace tern;
using namespace tern::replay;

Scenario parse_ok(const std::string& text) {
  auto r = parse_rpl(text);
  INFO((r ? std::string() : std::to_string(r.error().line) + ": " + r.error().message));
  REQUIRE(r.ok());
  return std::move(*r);
}

std::vector<uint8_t> query_bytes(const char* name, wire::RRType type, uint16_t id = 0x1234) {
  wire::Edns edns;
  return wire::build_query(id, *wire::Name::from_text(name), type, wire::RRClass::IN, false, edns);
}

// Root at 193.0.14.129 delegating example.com to 1.2.3.4, which answers www.example.com A.
const std::string kHead = "do-ip6: no\nstub-addr: 193.0.14.129\nCONFIG_END\nSCENARIO_BEGIN t\n";
const std::string kNetwork = R"(
RANGE_BEGIN 0 100
	ADDRESS 193.0.14.129
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR NOERROR
SECTION QUESTION
. IN NS
SECTION ANSWER
. IN NS	K.ROOT-SERVERS.NET.
SECTION ADDITIONAL
K.ROOT-SERVERS.NET.	IN	A	193.0.14.129
ENTRY_END
ENTRY_BEGIN
MATCH opcode subdomain
ADJUST copy_id copy_query
REPLY QR NOERROR
SECTION QUESTION
com. IN A
SECTION AUTHORITY
com.	IN NS	ns.com.
SECTION ADDITIONAL
ns.com.	IN A	192.5.6.30
ENTRY_END
RANGE_END
RANGE_BEGIN 0 100
	ADDRESS 192.5.6.30
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
com. IN NS
SECTION ANSWER
com.	IN NS	ns.com.
SECTION ADDITIONAL
ns.com.	IN A	192.5.6.30
ENTRY_END
ENTRY_BEGIN
MATCH opcode subdomain
ADJUST copy_id copy_query
REPLY QR NOERROR
SECTION QUESTION
example.com. IN A
SECTION AUTHORITY
example.com.	IN NS	ns.example.com.
SECTION ADDITIONAL
ns.example.com.	IN A	1.2.3.4
ENTRY_END
RANGE_END
RANGE_BEGIN 0 100
	ADDRESS 1.2.3.4
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. IN A	10.20.30.40
ENTRY_END
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
example.com. IN NS
SECTION ANSWER
example.com.	IN NS	ns.example.com.
SECTION ADDITIONAL
ns.example.com.	IN A	1.2.3.4
ENTRY_END
ENTRY_BEGIN
MATCH opcode subdomain
ADJUST copy_id copy_query
REPLY QR AA NOERROR
SECTION QUESTION
example.com. IN A
SECTION AUTHORITY
example.com. IN SOA ns.example.com. h.example.com. 1 2 3 4 300
ENTRY_END
RANGE_END
STEP 1 QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
www.example.com. IN A
ENTRY_END
)";

TEST_CASE("Deckard comparison: sections as sets, flags exact, ttl only when asked", "[replay]") {
  const Scenario s = parse_ok(kHead + R"(STEP 1 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. 300 IN A 10.0.0.2
www.example.com. 300 IN A 10.0.0.1
ENTRY_END
SCENARIO_END
)");
  const Entry& e = *s.steps[0].entry;
  const CompareMessage expected = from_entry(e);

  auto answer = [](bool aa, uint32_t ttl, std::vector<std::array<uint8_t, 4>> addrs) {
    wire::MessageBuilder b(1232);
    wire::Header h;
    h.qr = h.rd = h.ra = true;
    h.aa = aa;
    b.set_header(h);
    auto name = *wire::Name::from_text("WWW.example.com.");
    b.add_question(name, wire::RRType::A, wire::RRClass::IN);
    for (auto& a : addrs) b.add_record(wire::Section::Answer, name, wire::RRType::A, wire::RRClass::IN, ttl, a);
    return *from_wire(b.finish());
  };
  // Order and name case do not matter.
  CHECK_FALSE(compare(e.match, expected, answer(false, 300, {{10, 0, 0, 1}, {10, 0, 0, 2}})));
  // A missing, an extra or a different record does.
  CHECK(compare(e.match, expected, answer(false, 300, {{10, 0, 0, 1}})));
  CHECK(compare(e.match, expected, answer(false, 300, {{10, 0, 0, 1}, {10, 0, 0, 2}, {10, 0, 0, 3}})));
  CHECK(compare(e.match, expected, answer(false, 300, {{10, 0, 0, 1}, {10, 0, 0, 9}})));
  // Flags must be exactly the listed ones.
  auto diff = compare(e.match, expected, answer(true, 300, {{10, 0, 0, 1}, {10, 0, 0, 2}}));
  REQUIRE(diff);
  CHECK(diff->find("flags") != std::string::npos);
  // TTLs only with MATCH ttl.
  CHECK_FALSE(compare(e.match, expected, answer(false, 5, {{10, 0, 0, 1}, {10, 0, 0, 2}})));
  MatchRules with_ttl = e.match;
  with_ttl.ttl = true;
  CHECK(compare(with_ttl, expected, answer(false, 5, {{10, 0, 0, 1}, {10, 0, 0, 2}})));
}

TEST_CASE("build_reply applies copy_id and copy_query", "[replay]") {
  const Scenario s = parse_ok(kHead + kNetwork + "SCENARIO_END\n");
  const Entry& referral = s.ranges[1].entries[1];  // copy_id copy_query
  const auto q = query_bytes("WwW.Example.com.", wire::RRType::AAAA, 0xbeef);
  auto reply = build_reply(referral, q);
  REQUIRE(reply);
  auto v = wire::MessageView::parse(*reply);
  REQUIRE(v);
  CHECK(v->header().id == 0xbeef);
  CHECK(v->header().qr);
  CHECK(v->qtype() == wire::RRType::AAAA);
  CHECK(v->qname().to_name()->to_text() == "WwW.Example.com.");
  CHECK(v->authority().size() == 1);
  CHECK(v->additional().size() == 1);
  CHECK(v->edns().has_value());  // the query had EDNS

  const Entry& priming = s.ranges[0].entries[0];  // copy_id only: template question kept
  auto reply2 = build_reply(priming, query_bytes(".", wire::RRType::NS, 7));
  REQUIRE(reply2);
  auto v2 = wire::MessageView::parse(*reply2);
  REQUIRE(v2);
  CHECK(v2->header().id == 7);
  CHECK(v2->qtype() == wire::RRType::NS);
  CHECK(v2->answer().size() == 1);
}

TEST_CASE("responder: ranges by step and address, one-shot REPLY steps, TCP-only entries",
          "[replay]") {
  const Scenario s = parse_ok(kHead + R"(
RANGE_BEGIN 0 10
	ADDRESS 1.1.1.1
ENTRY_BEGIN
MATCH opcode qname TCP
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
a.test. IN A
ENTRY_END
RANGE_END
STEP 5 QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
a.test. IN A
ENTRY_END
STEP 20 REPLY
ENTRY_BEGIN
MATCH opcode qname
ADJUST copy_id
REPLY QR TC NOERROR
SECTION QUESTION
a.test. IN A
ENTRY_END
SCENARIO_END
)");
  Responder r(s);
  auto one = *engine::Address::parse("1.1.1.1");
  auto two = *engine::Address::parse("2.2.2.2");
  const auto q = query_bytes("a.test.", wire::RRType::A);
  std::string why;
  // TCP at step 5 to 1.1.1.1: the range answers.
  auto tcp = r.answer(5, one, engine::Protocol::Tcp, q, why);
  REQUIRE(tcp);
  CHECK(tcp->source.find("range 0-10") != std::string::npos);
  // UDP does not fit the TCP-only entry; the one-shot REPLY step answers, once.
  auto udp = r.answer(5, one, engine::Protocol::Udp, q, why);
  REQUIRE(udp);
  CHECK(udp->source.find("STEP 20 REPLY") != std::string::npos);
  CHECK(wire::MessageView::parse(udp->bytes)->header().tc);
  CHECK_FALSE(r.answer(5, one, engine::Protocol::Udp, q, why));
  CHECK(why.find("none of its entries") != std::string::npos);
  // Another address, or a step outside the range: nothing answers.
  CHECK_FALSE(r.answer(5, two, engine::Protocol::Tcp, q, why));
  CHECK(why.find("no range") != std::string::npos);
  CHECK_FALSE(r.answer(11, one, engine::Protocol::Tcp, q, why));
}

TEST_CASE("a scenario whose expectation holds passes, a wrong one fails", "[replay][engine]") {
  const std::string good = kHead + kNetwork + R"(
STEP 10 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. IN A 10.20.30.40
ENTRY_END
SCENARIO_END
)";
  for (bool qmin : {true, false}) {
    RunOptions o;
    o.qname_minimisation = qmin;
    RunResult r = run_scenario(parse_ok(good), o);
    INFO(r.log);
    for (const auto& f : r.failures) INFO(f);
    CHECK(r.verdict == Verdict::Pass);
  }

  const std::string wrong = kHead + kNetwork + R"(
STEP 10 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. IN A 10.20.30.41
ENTRY_END
SCENARIO_END
)";
  RunResult r = run_scenario(parse_ok(wrong), RunOptions{});
  INFO(r.log);
  REQUIRE(r.verdict == Verdict::Fail);
  CHECK(r.failures.front().find("STEP 10 CHECK_ANSWER") != std::string::npos);
  CHECK(r.failures.front().find("answer") != std::string::npos);
}

TEST_CASE("strict mode fails on an upstream query nothing answers", "[replay][engine]") {
  // The delegation's server 1.2.3.5 is not in the scenario: the engine's query to it times out.
  // The answer is still right (the second server answers), so lenient passes and strict fails.
  std::string text = kHead + kNetwork;
  const std::string from = "ns.example.com.	IN A	1.2.3.4";
  text.replace(text.find(from), from.size(), "ns.example.com. IN A 1.2.3.4\nns.example.com. IN A 1.2.3.5");
  text += R"(
STEP 10 CHECK_ANSWER
ENTRY_BEGIN
MATCH rcode question answer
REPLY QR RD RA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. IN A 10.20.30.40
ENTRY_END
SCENARIO_END
)";
  const Scenario s = parse_ok(text);
  RunOptions lenient;
  RunResult rl = run_scenario(s, lenient);
  INFO(rl.log);
  CHECK(rl.verdict == Verdict::Pass);
  RunOptions strict;
  strict.strict = true;
  RunResult rs = run_scenario(s, strict);
  // Whether 1.2.3.5 is tried depends on server selection; when it is, strict must say so.
  bool tried = rs.log.find("-> 1.2.3.5") != std::string::npos;
  if (tried) {
    REQUIRE(rs.verdict == Verdict::Fail);
    CHECK(rs.failures.back().find("1.2.3.5") != std::string::npos);
  } else {
    CHECK(rs.verdict == Verdict::Pass);
  }
}

TEST_CASE("CHECK_OUT_QUERY: a query the engine sent passes, one it never sent fails",
          "[replay][engine]") {
  auto check_out = [](const std::string& qname) {
    return "STEP 11 CHECK_OUT_QUERY\nENTRY_BEGIN\nMATCH qname qtype\nADJUST copy_id\nREPLY QR\n"
           "SECTION QUESTION\n" + qname + " IN A\nENTRY_END\n";
  };
  RunOptions o;
  o.qname_minimisation = false;  // the engine then asks 1.2.3.4 the full name

  RunResult sent = run_scenario(parse_ok(kHead + kNetwork + check_out("www.example.com.") + "SCENARIO_END\n"), o);
  INFO(sent.log);
  CHECK(sent.verdict == Verdict::Pass);
  CHECK(sent.log.find("check ok: www.example.com. IN A was sent") != std::string::npos);

  RunResult never = run_scenario(parse_ok(kHead + kNetwork + check_out("nosuch.example.com.") + "SCENARIO_END\n"), o);
  INFO(never.log);
  REQUIRE(never.verdict == Verdict::Fail);
  CHECK(never.failures.front().find("STEP 11 CHECK_OUT_QUERY") != std::string::npos);
  CHECK(never.failures.front().find("nosuch.example.com.") != std::string::npos);

  // Each sent query is checked out once: the engine asks www.example.com. A three times (root,
  // com., example.com.), so a fourth check finds none left.
  const std::string one = check_out("www.example.com.").substr(std::string("STEP 11").size());
  std::string four;
  for (int step : {11, 12, 13, 14}) four += "STEP " + std::to_string(step) + one;
  RunResult again = run_scenario(parse_ok(kHead + kNetwork + four + "SCENARIO_END\n"), o);
  INFO(again.log);
  REQUIRE(again.verdict == Verdict::Fail);
  REQUIRE(again.failures.size() == 1);
  CHECK(again.failures.front().find("STEP 14 CHECK_OUT_QUERY") != std::string::npos);
}

TEST_CASE("unsupported features skip the scenario, naming them", "[replay]") {
  const Scenario s = parse_ok("val-override-date: 20070916134226\nstub-addr: 1.1.1.1\nCONFIG_END\n"
                              "SCENARIO_BEGIN t\nSCENARIO_END\n");
  RunResult r = run_scenario(s, RunOptions{});
  REQUIRE(r.verdict == Verdict::Skip);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].find("val-override-date") != std::string::npos);
}

TEST_CASE("expected-failure list", "[replay]") {
  auto x = ExpectedFailures::parse(
      "# comment\n"
      "iter_a strict any the engine does X\n"
      "iter_b lenient qmin_off Y happens\n");
  REQUIRE(x.ok());
  CHECK(x->find("iter_a", true, true) == std::optional<std::string>("the engine does X"));
  CHECK_FALSE(x->find("iter_a", false, true));
  CHECK(x->find("iter_b", true, false) == std::optional<std::string>("Y happens"));
  CHECK_FALSE(x->find("iter_b", false, true));
  CHECK_FALSE(ExpectedFailures::parse("iter_a sometimes any reason\n").ok());
  CHECK_FALSE(ExpectedFailures::parse("iter_a strict\n").ok());
}

}  // namespace

namespace {

TEST_CASE("a loopback root is reachable, other loopback servers stay refused", "[replay][engine]") {
  // The root sits on 127.0.0.10 (as in iter_minim_a.rpl): the replayer's allow-list admits that
  // one address. example.com. is delegated to 127.0.0.2, which do-not-query-localhost forbids:
  // the engine must answer SERVFAIL without ever sending there.
  const std::string text = R"(do-ip6: no
stub-addr: 127.0.0.10
CONFIG_END
SCENARIO_BEGIN loopback
RANGE_BEGIN 0 100
	ADDRESS 127.0.0.10
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
. IN NS
SECTION ANSWER
. IN NS k.root-servers.net.
SECTION ADDITIONAL
k.root-servers.net. IN A 127.0.0.10
ENTRY_END
ENTRY_BEGIN
MATCH opcode subdomain
ADJUST copy_id copy_query
REPLY QR NOERROR
SECTION QUESTION
example.com. IN A
SECTION AUTHORITY
example.com. IN NS ns.example.com.
SECTION ADDITIONAL
ns.example.com. IN A 127.0.0.2
ENTRY_END
ENTRY_BEGIN
MATCH opcode subdomain
ADJUST copy_id copy_query
REPLY QR AA NOERROR
SECTION QUESTION
com. IN A
SECTION AUTHORITY
com. IN SOA a. b. 1 2 3 4 5
ENTRY_END
RANGE_END
RANGE_BEGIN 0 100
	ADDRESS 127.0.0.2
ENTRY_BEGIN
MATCH opcode
ADJUST copy_id copy_query
REPLY QR AA NOERROR
SECTION QUESTION
www.example.com. IN A
SECTION ANSWER
www.example.com. IN A 10.0.0.1
ENTRY_END
RANGE_END
STEP 1 QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
www.example.com. IN A
ENTRY_END
STEP 2 CHECK_ANSWER
ENTRY_BEGIN
MATCH rcode question
REPLY QR RD RA SERVFAIL
SECTION QUESTION
www.example.com. IN A
ENTRY_END
SCENARIO_END
)";
  for (bool qmin : {true, false}) {
    RunOptions o;
    o.strict = true;
    o.qname_minimisation = qmin;
    RunResult r = run_scenario(parse_ok(text), o);
    INFO(r.log);
    for (const auto& f : r.failures) INFO(f);
    CHECK(r.verdict == Verdict::Pass);
    CHECK(r.log.find("-> 127.0.0.10") != std::string::npos);
    CHECK(r.log.find("-> 127.0.0.2") == std::string::npos);
  }
}

TEST_CASE("TIME_PASSES moves the clock: cached data expires", "[replay][engine]") {
  // 1.1.1.1 is the root and authoritative for test.: TTL 10 at first, a new address after.
  const std::string text = R"(do-ip6: no
stub-addr: 1.1.1.1
query-minimization: off
CONFIG_END
SCENARIO_BEGIN expiry
RANGE_BEGIN 0 100
	ADDRESS 1.1.1.1
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
. IN NS
SECTION ANSWER
. IN NS k.root-servers.net.
SECTION ADDITIONAL
k.root-servers.net. IN A 1.1.1.1
ENTRY_END
RANGE_END
RANGE_BEGIN 0 10
	ADDRESS 1.1.1.1
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
a.test. IN A
SECTION ANSWER
a.test. 10 IN A 192.0.2.1
ENTRY_END
RANGE_END
RANGE_BEGIN 11 100
	ADDRESS 1.1.1.1
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
a.test. IN A
SECTION ANSWER
a.test. 10 IN A 192.0.2.2
ENTRY_END
RANGE_END
STEP 1 QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
a.test. IN A
ENTRY_END
STEP 2 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
a.test. IN A
SECTION ANSWER
a.test. IN A 192.0.2.1
ENTRY_END
STEP 12 QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
a.test. IN A
ENTRY_END
STEP 13 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
a.test. IN A
SECTION ANSWER
a.test. IN A 192.0.2.1
ENTRY_END
STEP 20 TIME_PASSES ELAPSE 11
STEP 21 QUERY
ENTRY_BEGIN
REPLY RD
SECTION QUESTION
a.test. IN A
ENTRY_END
STEP 22 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
a.test. IN A
SECTION ANSWER
a.test. IN A 192.0.2.2
ENTRY_END
SCENARIO_END
)";
  RunOptions o;
  o.strict = true;
  RunResult r = run_scenario(parse_ok(text), o);
  INFO(r.log);
  for (const auto& f : r.failures) INFO(f);
  CHECK(r.verdict == Verdict::Pass);
}

}  // namespace

namespace {

TEST_CASE("Unmatched::ServFail answers SERVFAIL like Deckard, still unscripted for strict",
          "[replay]") {
  const Scenario s = parse_ok(kHead + kNetwork + "SCENARIO_END\n");
  Responder deckard(s, Unmatched::ServFail);
  Responder silent(s, Unmatched::Timeout);
  auto root = *engine::Address::parse("193.0.14.129");
  const auto q = query_bytes("nothing.org.", wire::RRType::TXT, 0x4242);
  std::string why;
  CHECK_FALSE(silent.answer(1, root, engine::Protocol::Udp, q, why));
  auto r = deckard.answer(1, root, engine::Protocol::Udp, q, why);
  REQUIRE(r);
  CHECK_FALSE(r->scripted);
  auto v = wire::MessageView::parse(r->bytes);
  REQUIRE(v);
  CHECK(v->header().id == 0x4242);
  CHECK(v->header().qr);
  CHECK(v->rcode() == wire::Rcode::ServFail);
  CHECK(v->qtype() == wire::RRType::TXT);
  CHECK(v->edns().has_value());
}

}  // namespace
