// The upstream allow-list, loopback/private refusal, and the IPv6 switch.
#include <catch2/catch.hpp>

#include "example_tree.h"
#include "resolver/engine/upstream_policy.h"
#include "root-hints/compiled_root_hints.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("loopback and private servers are refused unless allowed", "[engine][policy]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(addr(kComServer), "inside.com.",
                     referral("inside.com.", {"ns.inside.com."}, {{"ns.inside.com.", "127.0.0.1"}}));
  auto a = h.resolve("www.inside.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::NotAllowed);
  for (const auto& q : h.net.sent()) CHECK_FALSE(q.server.is_loopback());
}

TEST_CASE("with an allow-list nothing outside it is ever sent to", "[engine][policy]") {
  auto cfg = no_minimisation();
  cfg.upstream_allow = {*engine::Cidr::parse("127.53.0.0/16")};
  cfg.root_hints_text = ". 3600000 IN NS a.root.lab.\na.root.lab. 3600000 IN A 127.53.0.1\n";
  Harness h(cfg);
  auto root = addr("127.53.0.1");
  h.net.on(root, ".", RRType::NS,
           answer({". 86400 IN NS a.root.lab."}).add("a.root.lab. 86400 IN A 127.53.0.1"));
  h.net.on_subdomain(root, "lab.", referral("lab.", {"ns.lab.", "ns.outside.lab."},
                                            {{"ns.lab.", "127.53.0.2"}, {"ns.outside.lab.", "192.0.2.9"}}));
  h.net.on(addr("127.53.0.2"), "www.lab.", RRType::A, answer({"www.lab. 60 IN A 127.53.9.9"}));
  auto a = h.resolve("www.lab.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  for (const auto& q : h.net.sent()) CHECK(cfg.upstream_allow[0].contains(q.server));
}

TEST_CASE("IPv6 servers are used, unless IPv6 is switched off", "[engine][policy][ipv6]") {
  bool ipv6 = GENERATE(true, false);
  auto cfg = no_minimisation();
  cfg.ipv6 = ipv6;
  Harness h(cfg);
  build_example_tree(h);
  h.net.on_subdomain(addr(kComServer), "six.com.",
                     referral("six.com.", {"ns.six.com."},
                              {{"ns.six.com.", "2001:db8::53"}, {"ns.six.com.", "198.51.100.66"}}));
  h.net.on(addr("[2001:db8::53]:53"), "www.six.com.", RRType::A,
           answer({"www.six.com. 60 IN A 203.0.113.66"}));
  h.net.on(addr("198.51.100.66"), "www.six.com.", RRType::A,
           answer({"www.six.com. 60 IN A 203.0.113.66"}));
  auto a = h.resolve("www.six.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  bool used_v6 = false;
  for (const auto& q : h.net.sent()) used_v6 = used_v6 || q.server.v6;
  if (!ipv6) CHECK_FALSE(used_v6);
}

TEST_CASE("no allowed server at all: SERVFAIL without sending anything", "[engine][policy]") {
  auto cfg = no_minimisation();
  cfg.upstream_allow = {*engine::Cidr::parse("10.0.0.0/8")};
  Harness h(cfg);
  bool called = false;
  engine::Query q{wire::Name::from_text("www.example.com.").value(), RRType::A};
  h.engine->resolve(q, [&](const engine::Answer& a) {
    called = true;
    CHECK(a.rcode == wire::Rcode::ServFail);
  });
  CHECK(called);  // documented: decided before any query, so synchronous
  CHECK(h.net.sent().empty());
}

TEST_CASE("hint_reach: root hints outside upstream-allow are found before start-up", "[engine][policy]") {
  const std::string lab_hints =
      ". 3600000 IN NS a.root.lab.\n. 3600000 IN NS b.root.lab.\n"
      "a.root.lab. 3600000 IN A 127.53.0.1\nb.root.lab. 3600000 IN A 127.53.0.2\n"
      "b.root.lab. 3600000 IN AAAA fd00::53\n";
  auto hints = engine::parse_root_hints(lab_hints);
  REQUIRE(hints);
  engine::EngineConfig cfg;
  cfg.upstream_port = 5300;

  SECTION("no allow-list: loopback and private hints are all refused") {
    auto r = engine::hint_reach(cfg, *hints);
    CHECK(r.allowed.empty());
    CHECK(r.refused.size() == 3);
    CHECK(r.refused[0].port == 5300);
  }
  SECTION("an allow-list that misses them") {
    cfg.upstream_allow = {*engine::Cidr::parse("10.0.0.0/8")};
    CHECK(engine::hint_reach(cfg, *hints).allowed.empty());
  }
  SECTION("an allow-list that holds one of them") {
    cfg.upstream_allow = {*engine::Cidr::parse("127.53.0.2/32")};
    auto r = engine::hint_reach(cfg, *hints);
    REQUIRE(r.allowed.size() == 1);
    CHECK(r.allowed[0].host_to_string() == "127.53.0.2");
    CHECK(r.refused.size() == 2);
  }
  SECTION("only IPv6 allowed, with IPv6 off") {
    cfg.upstream_allow = {*engine::Cidr::parse("fd00::/8")};
    CHECK(engine::hint_reach(cfg, *hints).allowed.size() == 1);
    cfg.ipv6 = false;
    CHECK(engine::hint_reach(cfg, *hints).allowed.empty());
  }
  SECTION("the compiled-in hints with no allow-list are all allowed") {
    auto real = engine::parse_root_hints(tern::compiled_root_hints());
    REQUIRE(real);
    auto r = engine::hint_reach(cfg, *real);
    CHECK(r.refused.empty());
    CHECK(r.allowed.size() >= 13);
  }
}
