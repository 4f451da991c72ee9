// DNSSEC validation in the engine (iterator_validate.cpp): a small signed tree whose keys and
// signatures the test makes through OpenSSL (tests/validator/test_signer.h), served by the
// simulated network. Root, com. and example.com. are signed (ECDSA P-256); the root's key is
// the trust anchor. Asserts the verdicts and the DS / DNSKEY fetches down the chain.
#include <catch2/catch.hpp>

#include "example_tree.h"
#include "resolver/engine/zone_routes.h"
#include "resolver/validator/ds_digest.h"
#include "test_signer.h"
#include "wire/message_view.h"
#include "wire/text.h"

using namespace tern;
using namespace tern::testsupport;
using tern::validator::test::TestKey;
using wire::RRType;

namespace {

wire::Name nm(std::string_view t) { return wire::Name::from_text(t).value(); }

wire::RRset set_of(std::initializer_list<std::string_view> records) {
  std::optional<wire::RRset> out;
  for (auto text : records) {
    auto r = rr(text);
    if (!out) out.emplace(r.owner, r.type, r.rclass, r.ttl);
    out->add(r.rdata);
  }
  return *out;
}

std::string text_of(const wire::Name& owner, uint32_t ttl, RRType type,
                    std::span<const uint8_t> rdata) {
  return wire::rr_to_text(owner, ttl, wire::RRClass::IN, type, rdata);
}

struct SignedTree {
  TestKey root{13, 257}, com{13, 257}, example{13, 257};
  validator::test::SigTimes times{uint32_t(1700000000 - 3600), uint32_t(1700000000 + 30 * 86400)};

  // The records and an RRSIG over them by `key` for `signer`.
  std::vector<std::string> sign(std::initializer_list<std::string_view> records, const TestKey& key,
                                std::string_view signer) {
    auto s = set_of(records);
    std::vector<std::string> out(records.begin(), records.end());
    auto sig = validator::test::make_rrsig(s, key, nm(signer), times);
    out.push_back(text_of(s.owner, s.ttl, RRType::RRSIG, sig));
    return out;
  }
  std::string dnskey(std::string_view zone, const TestKey& k) {
    return text_of(nm(zone), 3600, RRType::DNSKEY, k.dnskey());
  }
  std::string ds(std::string_view zone, const TestKey& k) {
    auto digest = validator::ds_digest(nm(zone), k.dnskey(), 2).value();
    std::vector<uint8_t> rdata{uint8_t(k.tag() >> 8), uint8_t(k.tag()), k.algorithm(), 2};
    rdata.insert(rdata.end(), digest.begin(), digest.end());
    return text_of(nm(zone), 3600, RRType::DS, rdata);
  }
  SimReply signed_answer(std::initializer_list<std::string_view> records, const TestKey& key,
                         std::string_view signer) {
    SimReply r = answer({});
    for (auto& line : sign(records, key, signer)) r.ans(line);
    return r;
  }

  engine::EngineConfig config() {
    auto cfg = no_minimisation();
    cfg.dnssec.validation = true;
    validator::TrustAnchor a;
    a.zone = nm(".");
    a.dnskey = set_of({dnskey(".", root)});
    a.ds = wire::RRset(nm("."), RRType::DS, wire::RRClass::IN, 0);
    cfg.dnssec.trust_anchors.push_back(a);
    return cfg;
  }

  // Keys and DS records of the chain, then the delegations (the exact entries first: the
  // simulated servers answer with the first entry that matches).
  void serve(Harness& h) {
    h.serve_priming();
    h.net.on(h.root(), ".", RRType::DNSKEY, signed_answer({dnskey(".", root)}, root, "."));
    h.net.on(h.root(), "com.", RRType::DS, signed_answer({ds("com.", com)}, root, "."));
    h.net.on_subdomain(h.root(), "com.", referral("com.", {"ns.com."}, {{"ns.com.", kComServer}}));
    h.net.on(addr(kComServer), "com.", RRType::DNSKEY, signed_answer({dnskey("com.", com)}, com, "com."));
    h.net.on(addr(kComServer), "example.com.", RRType::DS,
             signed_answer({ds("example.com.", example)}, com, "com."));
    // unsigned.com. is delegated without DS: com. proves it with an NSEC.
    SimReply no_ds = nodata("com.");
    const std::string com_soa = soa_record("com.");
    for (auto& line : sign({com_soa}, com, "com."))
      if (line.find("RRSIG") != std::string::npos) no_ds.auth(line);
    for (auto& line : sign({"unsigned.com. 300 IN NSEC zzz.com. NS RRSIG NSEC"}, com, "com."))
      no_ds.auth(line);
    h.net.on(addr(kComServer), "unsigned.com.", RRType::DS, no_ds);
    h.net.on_subdomain(addr(kComServer), "unsigned.com.",
                       referral("unsigned.com.", {"ns.unsigned.com."}, {{"ns.unsigned.com.", "198.51.100.9"}}));
    h.net.on_subdomain(addr(kComServer), "example.com.",
                       referral("example.com.", {"ns1.example.com."}, {{"ns1.example.com.", kNs1}}));
    h.net.on(addr(kNs1), "example.com.", RRType::DNSKEY,
             signed_answer({dnskey("example.com.", example)}, example, "example.com."));
  }
};

std::optional<engine::Answer> ask(Harness& h, std::string_view qname, RRType qtype, bool dnssec_ok = true,
                                  bool cd = false) {
  engine::Query q;
  q.qname = nm(qname);
  q.qtype = qtype;
  q.dnssec_ok = dnssec_ok;
  q.cd = cd;
  std::optional<engine::Answer> out;
  h.engine->resolve(q, [&](const engine::Answer& a) { out = a; });
  h.clock.run_until([&] { return out.has_value(); });
  return out;
}

}  // namespace

TEST_CASE("a signed answer validates down the chain from the anchor", "[engine][dnssec]") {
  SignedTree tree;
  Harness h(tree.config());
  tree.serve(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           tree.signed_answer({"www.example.com. 3600 IN A 203.0.113.7"}, tree.example, "example.com."));
  auto a = ask(h, "www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(a->secure);
  REQUIRE(a->answer.size() == 1);
  REQUIRE(a->answer[0].rrsigs);  // for the DO client
  CHECK(a->answer[0].security == wire::Security::Secure);
  // The chain of trust was fetched: DS from each parent, DNSKEY from each zone.
  auto sent = h.net.sent_text();
  auto has = [&](std::string_view s) { return std::find(sent.begin(), sent.end(), s) != sent.end(); };
  CHECK(has("198.51.100.1:53 udp example.com. DNSKEY"));
  CHECK(has("192.5.6.30:53 udp example.com. DS"));
  CHECK(has("192.5.6.30:53 udp com. DNSKEY"));
  CHECK(has("193.0.14.129:53 udp com. DS"));
  CHECK(has("193.0.14.129:53 udp . DNSKEY"));
  // Every upstream query asked for DNSSEC records (DO).
  for (const auto& q : h.net.sent()) {
    auto msg = wire::MessageView::parse(q.packet);
    REQUIRE(msg);
    REQUIRE(msg->edns());
    CHECK(msg->edns()->do_bit());
  }

  SECTION("the cached answer stays secure and keeps its signatures") {
    h.net.clear_sent();
    auto b = ask(h, "www.example.com.", RRType::A);
    REQUIRE(b);
    CHECK(b->from_cache);
    CHECK(b->secure);
    REQUIRE(b->answer.size() == 1);
    CHECK(b->answer[0].rrsigs);
    CHECK(h.net.sent().empty());
  }
  SECTION("keys are not fetched again for the next name of the zone") {
    h.net.on(addr(kNs1), "mail.example.com.", RRType::A,
             tree.signed_answer({"mail.example.com. 3600 IN A 203.0.113.8"}, tree.example, "example.com."));
    h.net.clear_sent();
    auto b = ask(h, "mail.example.com.", RRType::A);
    REQUIRE(b);
    CHECK(b->secure);
    CHECK(h.net.sent_text() == std::vector<std::string>{"198.51.100.1:53 udp mail.example.com. A"});
  }
}

TEST_CASE("a bad signature is SERVFAIL, and the data with CD", "[engine][dnssec]") {
  SignedTree tree;
  Harness h(tree.config());
  tree.serve(h);
  // Signed over other data: the signature does not verify for what is served.
  auto lines = tree.sign({"www.example.com. 3600 IN A 203.0.113.99"}, tree.example, "example.com.");
  SimReply forged = answer({"www.example.com. 3600 IN A 203.0.113.7"});
  forged.ans(lines.back());
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, forged);
  auto a = ask(h, "www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::DnssecBogus);

  auto cd = ask(h, "www.example.com.", RRType::A, true, /*cd=*/true);
  REQUIRE(cd);
  CHECK(cd->rcode == wire::Rcode::NoError);
  CHECK_FALSE(cd->secure);
  CHECK(records_brief(cd->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});

  SECTION("the bogus verdict is cached briefly: no validation storm") {
    h.net.clear_sent();
    auto b = ask(h, "www.example.com.", RRType::A);
    REQUIRE(b);
    CHECK(b->rcode == wire::Rcode::ServFail);
    CHECK(h.net.sent().empty());
  }
}

TEST_CASE("unsigned data in a signed zone is bogus (RRSIGs missing)", "[engine][dnssec]") {
  SignedTree tree;
  Harness h(tree.config());
  tree.serve(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = ask(h, "www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::DnssecRrsigsMissing);
}

TEST_CASE("an expired signature is bogus with its own reason", "[engine][dnssec]") {
  SignedTree tree;
  Harness h(tree.config());
  tree.serve(h);
  auto saved = tree.times;
  tree.times = {uint32_t(1700000000 - 40 * 86400), uint32_t(1700000000 - 10 * 86400)};
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           tree.signed_answer({"www.example.com. 3600 IN A 203.0.113.7"}, tree.example, "example.com."));
  tree.times = saved;
  auto a = ask(h, "www.example.com.", RRType::A);
  REQUIRE(a);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::DnssecSignatureExpired);
}

TEST_CASE("a delegation without DS, proven by the parent's NSEC, is insecure", "[engine][dnssec]") {
  SignedTree tree;
  Harness h(tree.config());
  tree.serve(h);
  h.net.on(addr("198.51.100.9"), "www.unsigned.com.", RRType::A,
           answer({"www.unsigned.com. 3600 IN A 203.0.113.50"}));
  auto a = ask(h, "www.unsigned.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK_FALSE(a->secure);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.unsigned.com. A 203.0.113.50"});
}

TEST_CASE("a signed NXDOMAIN with its NSEC proof is secure", "[engine][dnssec]") {
  SignedTree tree;
  Harness h(tree.config());
  tree.serve(h);
  SimReply nx = nxdomain("example.com.", 300);
  const std::string soa = soa_record("example.com.", 300);
  for (auto& line : tree.sign({soa}, tree.example, "example.com."))
    if (line.find("RRSIG") != std::string::npos) nx.auth(line);
  for (auto& line : tree.sign({"example.com. 300 IN NSEC www.example.com. SOA NS DNSKEY RRSIG NSEC"},
                              tree.example, "example.com."))
    nx.auth(line);
  h.net.on(addr(kNs1), "nope.example.com.", RRType::A, nx);
  auto a = ask(h, "nope.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NXDomain);
  CHECK(a->secure);
  // The DO client gets the proof beside the SOA.
  bool has_nsec = false;
  for (const auto& s : a->authority) has_nsec |= s.type == RRType::NSEC;
  CHECK(has_nsec);

  SECTION("without the NSEC it is bogus") {
    SimReply bare = nxdomain("example.com.", 300);
    h.net.on(addr(kNs1), "gone.example.com.", RRType::A, bare);
    auto b = ask(h, "gone.example.com.", RRType::A);
    REQUIRE(b);
    CHECK(b->rcode == wire::Rcode::ServFail);
  }
}

TEST_CASE("a negative trust anchor turns validation off below it", "[engine][dnssec]") {
  SignedTree tree;
  auto cfg = tree.config();
  cfg.dnssec.negative_trust_anchors.push_back(nm("example.com."));
  Harness h(cfg);
  tree.serve(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = ask(h, "www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK_FALSE(a->secure);
}

TEST_CASE("a stub zone marked insecure is not validated, as under a negative trust anchor",
          "[engine][dnssec][stub]") {
  SignedTree tree;
  auto cfg = tree.config();
  engine::ConfiguredZone z;
  z.kind = engine::ConfiguredZone::Kind::Stub;
  z.name = nm("example.com.");
  z.addresses = {addr(kNs1)};
  z.insecure = true;
  cfg.zone_routes = std::make_shared<engine::ZoneRoutes>(std::vector<engine::ConfiguredZone>{z});
  Harness h(cfg);
  tree.serve(h);
  // Unsigned data from a zone whose parent is signed: bogus (RRSIGs missing) without the flag.
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = ask(h, "www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK_FALSE(a->secure);
  CHECK_FALSE(a->failure);
}

TEST_CASE("validation off: no DO upstream, nothing secure", "[engine][dnssec]") {
  SignedTree tree;
  Harness h(no_minimisation());
  tree.serve(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           tree.signed_answer({"www.example.com. 3600 IN A 203.0.113.7"}, tree.example, "example.com."));
  auto a = ask(h, "www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK_FALSE(a->secure);
  for (const auto& q : h.net.sent()) {
    auto msg = wire::MessageView::parse(q.packet);
    REQUIRE(msg);
    if (msg->edns()) CHECK_FALSE(msg->edns()->do_bit());
  }
}
