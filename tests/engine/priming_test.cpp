// Priming (RFC 8109): on first use, again when the root NS set expires; prefetch.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("priming again when the root NS set expires", "[engine][priming]") {
  Harness h(no_minimisation());
  h.net.on(h.root(), ".", RRType::NS,
           answer({". 100 IN NS k.root-servers.net."}).add("k.root-servers.net. 100 IN A 193.0.14.129"));
  h.net.on_subdomain(h.root(), "com.", referral("com.", {"ns.com."}, {{"ns.com.", kComServer}}));
  h.net.on(addr(kComServer), "a.com.", RRType::A, answer({"a.com. 3600 IN A 203.0.113.1"}));
  h.net.on(addr(kComServer), "b.com.", RRType::A, answer({"b.com. 3600 IN A 203.0.113.2"}));
  h.net.on(addr(kComServer), "c.com.", RRType::A, answer({"c.com. 3600 IN A 203.0.113.3"}));
  REQUIRE(h.resolve("a.com.", RRType::A));
  CHECK(h.net.sent_text().front() == "193.0.14.129:53 udp . NS");
  h.net.clear_sent();
  REQUIRE(h.resolve("b.com.", RRType::A));
  CHECK(h.net.sent_text() == std::vector<std::string>{"192.5.6.30:53 udp b.com. A"});
  // com.'s NS expire with the referral's TTL (86400) later; the root NS set after 100 s.
  h.clock.advance(std::chrono::seconds(101));
  h.net.clear_sent();
  h.caches.rrsets().flush_name(wire::Name::from_text("com.").value());
  REQUIRE(h.resolve("c.com.", RRType::A));
  CHECK(h.net.sent_text().front() == "193.0.14.129:53 udp . NS");
}

TEST_CASE("priming failure: the hints themselves are asked, then SERVFAIL", "[engine][priming]") {
  Harness h(no_minimisation());
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  // Timeouts back off (376, 752, 1504 ms): the third counted timeout makes the only root server
  // down (kTimeoutsBeforeDown), and a delegation whose every server is down fails at once.
  CHECK(*a->failure == engine::Failure::ServersDown);
  CHECK(h.net.sent_text() == std::vector<std::string>{
                                 "193.0.14.129:53 udp . NS",
                                 "193.0.14.129:53 udp . NS",
                                 "193.0.14.129:53 udp www.example.com. A",
                             });
}

TEST_CASE("priming failure: a root server that does not answer . NS still resolves",
          "[engine][priming]") {
  Harness h(no_minimisation());
  h.net.on(h.root(), ".", RRType::NS, rcode(wire::Rcode::ServFail));
  h.net.on(h.root(), "www.example.com.", RRType::A,
           answer({"www.example.com. 60 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
}

TEST_CASE("prefetch refreshes an entry in its last tenth of TTL", "[engine][prefetch]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 100 IN A 203.0.113.7"}));
  REQUIRE(h.resolve("www.example.com.", RRType::A));
  h.clock.advance(std::chrono::seconds(95));
  h.net.clear_sent();
  auto a = h.resolve("www.example.com.", RRType::A);  // served from the cache...
  REQUIRE(a);
  CHECK(a->from_cache);
  h.clock.run_until_idle();  // ...and refreshed behind it
  CHECK(h.net.sent_text() == std::vector<std::string>{"198.51.100.1:53 udp www.example.com. A"});
  CHECK(h.engine->stats().prefetches == 1);
  auto fresh = h.caches.rrsets().lookup(wire::Name::from_text("www.example.com.").value(),
                                        RRType::A, wire::RRClass::IN, h.clock.now());
  REQUIRE(fresh);
  CHECK(fresh->rrset.ttl > 90);
}
