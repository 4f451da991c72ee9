// [cache] min-ttl, max-ttl and max-negative-ttl hold for the first answer (straight from the
// upstream response) as they do for the answers the caches give later.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

cache::CacheLimits limits(uint32_t min_ttl, uint32_t max_ttl, uint32_t max_negative_ttl) {
  cache::CacheLimits l;
  l.min_ttl = min_ttl;
  l.max_ttl = max_ttl;
  l.max_negative_ttl = max_negative_ttl;
  return l;
}

}  // namespace

TEST_CASE("max-ttl caps the first answer and the cached one", "[engine][ttl]") {
  Harness h(no_minimisation(), limits(0, 10, 3600));
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           cname("www.example.com.", "web.example.com.", {"web.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  REQUIRE(a->answer.size() == 2);
  CHECK_FALSE(a->from_cache);
  for (const auto& rr : a->answer) CHECK(rr.ttl == 10);
  h.clock.advance(std::chrono::seconds(4));
  auto b = h.resolve("www.example.com.", RRType::A);
  REQUIRE(b);
  CHECK(b->from_cache);
  for (const auto& rr : b->answer) CHECK(rr.ttl == 6);
}

TEST_CASE("min-ttl raises the first answer", "[engine][ttl]") {
  Harness h(no_minimisation(), limits(60, 86400, 3600));
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 5 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  REQUIRE(a->answer.size() == 1);
  CHECK(a->answer[0].ttl == 60);
}

TEST_CASE("max-negative-ttl caps the first denial's SOA", "[engine][ttl]") {
  Harness h(no_minimisation(), limits(0, 86400, 3));
  build_example_tree(h);
  h.net.on(addr(kNs1), "nope.example.com.", RRType::A, nxdomain("example.com.", 300));
  h.net.on(addr(kNs1), "www.example.com.", RRType::AAAA, nodata("example.com.", 300));
  auto a = h.resolve("nope.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NXDomain);
  REQUIRE(a->authority.size() == 1);
  CHECK(a->authority[0].ttl == 3);
  auto b = h.resolve("www.example.com.", RRType::AAAA);
  REQUIRE(b);
  REQUIRE(b->authority.size() == 1);
  CHECK(b->authority[0].ttl == 3);
  // And the cache let it go after 3 s.
  h.clock.advance(std::chrono::seconds(4));
  h.net.clear_sent();
  auto c = h.resolve("nope.example.com.", RRType::A);
  REQUIRE(c);
  CHECK_FALSE(c->from_cache);
  CHECK(h.net.sent().size() == 1);
}

TEST_CASE("the first denial's SOA says the negative TTL, min(TTL, MINIMUM)", "[engine][ttl]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "nope.example.com.", RRType::A,
           rcode(wire::Rcode::NXDomain, true)
               .auth("example.com. 3600 IN SOA ns.example.com. hostmaster.example.com. 1 7200 "
                     "3600 1209600 300"));
  auto a = h.resolve("nope.example.com.", RRType::A);
  REQUIRE(a);
  REQUIRE(a->authority.size() == 1);
  CHECK(a->authority[0].ttl == 300);
}

TEST_CASE("a stale answer keeps RFC 8767's 30 s only up to max-ttl", "[engine][ttl][stale]") {
  Harness h(no_minimisation(), limits(0, 10, 3600));
  build_example_tree(h);
  auto& ok = h.net.on(addr(kNs1), "www.example.com.", RRType::A,
                      answer({"www.example.com. 60 IN A 203.0.113.7"}));
  ok.max_uses = 1;
  for (const char* ns : {kNs1, kNs2})
    h.net.on(addr(ns), "www.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  REQUIRE(h.resolve("www.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  h.clock.advance(std::chrono::seconds(120));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->stale);
  REQUIRE(a->answer.size() == 1);
  CHECK(a->answer[0].ttl == 10);
}
