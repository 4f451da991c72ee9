// NXDOMAIN and NODATA: returned with their SOA, cached negatively.
#include <catch2/catch.hpp>

#include "cache/negative_cache.h"
#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("NXDOMAIN comes back with the SOA and is cached", "[engine][negative]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "nope.example.com.", RRType::A, nxdomain("example.com.", 600));
  auto a = h.resolve("nope.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NXDomain);
  CHECK(a->answer.empty());
  REQUIRE(a->authority.size() == 1);
  CHECK(a->authority[0].type == RRType::SOA);
  CHECK(a->authority[0].owner.to_text() == "example.com.");

  h.net.clear_sent();
  // NXDOMAIN covers every type at the name.
  auto b = h.resolve("nope.example.com.", RRType::AAAA);
  REQUIRE(b);
  CHECK(b->rcode == wire::Rcode::NXDomain);
  CHECK(b->from_cache);
  CHECK(h.net.sent().empty());

  SECTION("until the negative TTL runs out") {
    h.clock.advance(std::chrono::seconds(601));
    auto c = h.resolve("nope.example.com.", RRType::A);
    REQUIRE(c);
    CHECK_FALSE(c->from_cache);
    CHECK(h.net.sent_text() == std::vector<std::string>{"198.51.100.1:53 udp nope.example.com. A"});
  }
}

TEST_CASE("NODATA comes back as NOERROR with the SOA and is cached per type",
          "[engine][negative]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::AAAA, nodata("example.com."));
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::AAAA);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(a->answer.empty());
  REQUIRE(a->authority.size() == 1);
  CHECK(a->authority[0].type == RRType::SOA);

  h.net.clear_sent();
  auto b = h.resolve("www.example.com.", RRType::AAAA);
  REQUIRE(b);
  CHECK(b->from_cache);
  // The other type is not covered.
  auto c = h.resolve("www.example.com.", RRType::A);
  REQUIRE(c);
  CHECK(records_brief(c->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK(h.net.sent().size() == 1);
}

TEST_CASE("NXDOMAIN at the end of a CNAME chain", "[engine][negative][cname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "alias.example.com.", RRType::A,
           cname("alias.example.com.", "gone.example.com.").with_rcode(wire::Rcode::NXDomain)
               .auth(soa_record("example.com.")));
  auto a = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NXDomain);
  CHECK(records_brief(a->answer) ==
        std::vector<std::string>{"alias.example.com. CNAME gone.example.com."});
  CHECK(h.net.sent().size() == 4);  // priming, root, com., example.com.
}

TEST_CASE("RFC 8020: names below a cached NXDOMAIN are NXDOMAIN without asking", "[engine][negative]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "gone.example.com.", RRType::A, nxdomain("example.com."));
  REQUIRE(h.resolve("gone.example.com.", RRType::A)->rcode == wire::Rcode::NXDomain);
  h.net.clear_sent();
  auto a = h.resolve("x.y.gone.example.com.", RRType::AAAA);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NXDomain);
  CHECK(h.net.sent().empty());
}

TEST_CASE("the zone's NS set an authoritative server puts beside the SOA goes to the client",
          "[engine][negative]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "nx1.example.com.", RRType::A,
           nxdomain("example.com.").auth("example.com. 3600 IN NS ns1.example.com."));
  auto a = h.resolve("nx1.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NXDomain);
  REQUIRE(a->authority.size() == 2);
  CHECK(a->authority[0].type == RRType::SOA);
  CHECK(a->authority[1].type == RRType::NS);
  // The same from the cache.
  auto b = h.resolve("nx1.example.com.", RRType::A);
  REQUIRE(b);
  CHECK(b->from_cache);
  CHECK(b->authority.size() == 2);
}

TEST_CASE("an authoritative NODATA without SOA is cached briefly, shown without SOA",
          "[engine][negative]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  // AA NOERROR, every section empty: nothing gives a negative TTL (RFC 2308 §5).
  h.net.on(addr(kNs1), "www.example.com.", RRType::AAAA, answer({}));
  auto a = h.resolve("www.example.com.", RRType::AAAA);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(a->answer.empty());
  CHECK(a->authority.empty());

  h.net.clear_sent();
  h.clock.advance(std::chrono::seconds(cache::kNoSoaNegativeTtl - 1));
  auto b = h.resolve("www.example.com.", RRType::AAAA);
  REQUIRE(b);
  CHECK(b->from_cache);
  CHECK(b->rcode == wire::Rcode::NoError);
  CHECK(b->answer.empty());
  CHECK(b->authority.empty());
  CHECK(h.net.sent().empty());

  SECTION("asked again once the short TTL ran out") {
    h.clock.advance(std::chrono::seconds(1));
    auto c = h.resolve("www.example.com.", RRType::AAAA);
    REQUIRE(c);
    CHECK_FALSE(c->from_cache);
    CHECK(h.net.sent_text() ==
          std::vector<std::string>{"198.51.100.1:53 udp www.example.com. AAAA"});
  }
}

