#include "cache/rrset_cache.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "fixtures.h"

namespace tern::cache {
namespace {

using namespace test;
using wire::RRClass;
using wire::RRType;

CacheLimits limits() {
  CacheLimits l;
  l.bytes = 4 << 20;
  return l;
}

std::optional<CachedRRset> get(RRsetCache& c, std::string_view owner, Instant now,
                               RRType type = RRType::A) {
  return c.lookup(name(owner), type, RRClass::IN, now);
}

}  // namespace

TEST_CASE("RRsetCache: expires at the exact second, and the client sees the countdown", "[rrset]") {
  RRsetCache c(limits(), 1 << 20);
  REQUIRE(c.insert(a_rrset("www.example.com.", 300, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0)));

  auto hit = get(c, "www.example.com.", at(0));
  REQUIRE(hit);
  CHECK(hit->rrset.ttl == 300);
  CHECK(hit->rrset.size() == 1);
  CHECK(hit->rrset.owner == name("www.example.com."));
  CHECK(get(c, "www.example.com.", at(1))->rrset.ttl == 299);
  CHECK(get(c, "www.example.com.", at(100.5))->rrset.ttl == 199);  // rounded down
  CHECK(get(c, "www.example.com.", at(299))->rrset.ttl == 1);
  CHECK(get(c, "www.example.com.", at(299.999))->rrset.ttl == 0);
  CHECK_FALSE(get(c, "www.example.com.", at(300)));
  CHECK_FALSE(get(c, "www.example.com.", at(301)));
}

TEST_CASE("RRsetCache: keys fold case, keep type and class apart", "[rrset]") {
  RRsetCache c(limits(), 1 << 20);
  c.insert(a_rrset("WWW.Example.COM.", 60, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
  auto hit = get(c, "www.example.com.", at(0));
  REQUIRE(hit);
  CHECK(hit->rrset.owner.to_text() == "WWW.Example.COM.");  // stored spelling
  CHECK_FALSE(get(c, "www.example.com.", at(0), RRType::AAAA));
  CHECK_FALSE(c.lookup(name("www.example.com."), RRType::A, RRClass::CH, at(0)));
  CHECK_FALSE(get(c, "example.com.", at(0)));
}

TEST_CASE("RRsetCache: TTLs are clamped, TTL 0 is never stored", "[rrset]") {
  CacheLimits l = limits();
  l.max_ttl = 3600;
  RRsetCache c(l, 1 << 20);
  c.insert(a_rrset("long.example.", 604800, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
  CHECK(get(c, "long.example.", at(0))->rrset.ttl == 3600);
  CHECK_FALSE(get(c, "long.example.", at(3600)));

  CHECK(c.insert(a_rrset("zero.example.", 0, {ipv4(192, 0, 2, 2)}), Trust::AnswerAuth, at(0)));
  CHECK_FALSE(get(c, "zero.example.", at(0)));
  CHECK(c.size() == 1);

  SECTION("min_ttl raises short TTLs") {
    CacheLimits m = limits();
    m.min_ttl = 30;
    RRsetCache d(m, 1 << 20);
    d.insert(a_rrset("zero.example.", 0, {ipv4(192, 0, 2, 2)}), Trust::AnswerAuth, at(0));
    CHECK(get(d, "zero.example.", at(0))->rrset.ttl == 30);
  }
}

TEST_CASE("RRsetCache: a TTL-0 answer that outranks cached data removes it", "[rrset]") {
  RRsetCache c(limits(), 1 << 20);
  c.insert(a_rrset("x.example.", 300, {ipv4(192, 0, 2, 1)}), Trust::Glue, at(0));
  CHECK(c.insert(a_rrset("x.example.", 0, {ipv4(192, 0, 2, 9)}), Trust::AnswerAuth, at(1)));
  CHECK_FALSE(get(c, "x.example.", at(1)));
}

TEST_CASE("RRsetCache: credibility replacement both ways (RFC 2181 5.4.1)", "[rrset]") {
  RRsetCache c(limits(), 1 << 20);
  auto glue = a_rrset("ns1.example.", 172800, {ipv4(192, 0, 2, 53)});
  auto auth = a_rrset("ns1.example.", 3600, {ipv4(198, 51, 100, 53)});

  SECTION("better data replaces glue") {
    REQUIRE(c.insert(glue, Trust::Glue, at(0)));
    REQUIRE(c.insert(auth, Trust::AnswerAuth, at(1)));
    auto hit = get(c, "ns1.example.", at(1));
    CHECK(hit->trust == Trust::AnswerAuth);
    CHECK(hit->rrset.same_data(auth));
    CHECK(hit->rrset.ttl == 3600);
  }
  SECTION("glue and additional data never override an authoritative answer") {
    REQUIRE(c.insert(auth, Trust::AnswerAuth, at(0)));
    CHECK_FALSE(c.insert(glue, Trust::Glue, at(1)));
    CHECK_FALSE(c.insert(glue, Trust::Additional, at(2)));
    CHECK_FALSE(c.insert(glue, Trust::AuthorityAuth, at(3)));
    auto hit = get(c, "ns1.example.", at(3));
    CHECK(hit->trust == Trust::AnswerAuth);
    CHECK(hit->rrset.same_data(auth));
    CHECK(hit->rrset.ttl == 3597);
  }
  SECTION("lower trust may replace data once it has expired") {
    REQUIRE(c.insert(auth, Trust::AnswerAuth, at(0)));
    CHECK(c.insert(glue, Trust::Glue, at(3600)));
    CHECK(get(c, "ns1.example.", at(3600))->trust == Trust::Glue);
  }
  SECTION("equal trust: the same data refreshes the TTL, changed data takes over") {
    REQUIRE(c.insert(auth, Trust::AnswerAuth, at(0)));
    CHECK(c.insert(auth, Trust::AnswerAuth, at(1000)));
    CHECK(get(c, "ns1.example.", at(1000))->rrset.ttl == 3600);
    auto changed = a_rrset("ns1.example.", 600, {ipv4(203, 0, 113, 53)});
    CHECK(c.insert(changed, Trust::AnswerAuth, at(1001)));
    auto hit = get(c, "ns1.example.", at(1001));
    CHECK(hit->rrset.same_data(changed));
    CHECK(hit->rrset.ttl == 600);
  }
  SECTION("data is never upgraded by repetition") {
    REQUIRE(c.insert(glue, Trust::Additional, at(0)));
    for (int i = 1; i <= 5; ++i) REQUIRE(c.insert(glue, Trust::Additional, at(i)));
    auto hit = get(c, "ns1.example.", at(5));
    CHECK(hit->trust == Trust::Additional);
    CHECK_FALSE(answer_grade(hit->trust));
  }
}

TEST_CASE("RRsetCache: a live NS set is never extended by re-learning it (ghost domains)", "[rrset]") {
  RRsetCache c(limits(), 1 << 20);
  auto ns = [](uint32_t ttl, const char* target) {
    wire::RRset s(name("ghost.example."), RRType::NS, RRClass::IN, ttl);
    s.add(name(target).wire());
    return s;
  };
  REQUIRE(c.insert(ns(3600, "ns1.ghost.example."), Trust::AuthorityNonAuth, at(0)));  // referral
  // The child's own servers answer authoritatively, again and again, with long TTLs.
  REQUIRE(c.insert(ns(86400, "ns1.ghost.example."), Trust::AnswerAuth, at(1000)));
  REQUIRE(c.insert(ns(86400, "ns2.ghost.example."), Trust::AnswerAuth, at(3000)));
  auto hit = c.lookup(name("ghost.example."), RRType::NS, RRClass::IN, at(3000));
  REQUIRE(hit);
  CHECK(hit->trust == Trust::AnswerAuth);
  CHECK(hit->rrset.same_data(ns(0, "ns2.ghost.example.")));
  CHECK(hit->rrset.ttl == 600);
  CHECK_FALSE(c.lookup(name("ghost.example."), RRType::NS, RRClass::IN, at(3600)));
  // Once expired, a new copy gets its own TTL; other types are refreshed normally.
  REQUIRE(c.insert(ns(7200, "ns1.ghost.example."), Trust::AuthorityNonAuth, at(3600)));
  CHECK(c.lookup(name("ghost.example."), RRType::NS, RRClass::IN, at(3600))->rrset.ttl == 7200);
}

TEST_CASE("RRsetCache: serve-stale window edges (RFC 8767)", "[rrset]") {
  CacheLimits l = limits();
  l.stale_window = 3600;
  RRsetCache c(l, 1 << 20);
  c.insert(a_rrset("s.example.", 60, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
  auto stale_at = [&](double t) { return c.lookup_stale(name("s.example."), RRType::A, RRClass::IN, at(t)); };

  auto fresh = stale_at(59);
  REQUIRE(fresh);
  CHECK_FALSE(fresh->stale);
  CHECK(fresh->rrset.ttl == 1);

  CHECK_FALSE(get(c, "s.example.", at(60)));  // plain lookup never returns stale data
  auto stale = stale_at(60);
  REQUIRE(stale);
  CHECK(stale->stale);
  CHECK(stale->rrset.ttl == kStaleTtl);
  CHECK(stale_at(60 + 3599.999));
  CHECK_FALSE(stale_at(60 + 3600));
  CHECK(c.size() == 0);  // dead data is removed on sight

  SECTION("serve-stale off: expired data is gone at once") {
    CacheLimits off = limits();
    off.serve_stale = false;
    RRsetCache d(off, 1 << 20);
    d.insert(a_rrset("s.example.", 60, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
    CHECK(d.lookup_stale(name("s.example."), RRType::A, RRClass::IN, at(59)));
    CHECK_FALSE(d.lookup_stale(name("s.example."), RRType::A, RRClass::IN, at(60)));
  }
}

TEST_CASE("RRsetCache: prefetch is due once, in the last 10% of the TTL", "[rrset]") {
  RRsetCache c(limits(), 1 << 20);
  c.insert(a_rrset("p.example.", 100, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
  CHECK_FALSE(get(c, "p.example.", at(0))->prefetch_due);
  CHECK_FALSE(get(c, "p.example.", at(89.999))->prefetch_due);
  CHECK(get(c, "p.example.", at(90))->prefetch_due);
  for (int i = 0; i < 100; ++i) CHECK_FALSE(get(c, "p.example.", at(91 + i * 0.05))->prefetch_due);

  // The refresh stores a new copy, which may trigger its own prefetch later.
  c.insert(a_rrset("p.example.", 100, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(95));
  CHECK_FALSE(get(c, "p.example.", at(96))->prefetch_due);
  CHECK(get(c, "p.example.", at(185))->prefetch_due);
  CHECK_FALSE(get(c, "p.example.", at(186))->prefetch_due);
}

TEST_CASE("RRsetCache: flush one name, one name and type, a subtree", "[rrset]") {
  RRsetCache c(limits(), 1 << 20);
  auto add = [&](std::string_view owner, RRType type) {
    wire::RRset s(name(owner), type, RRClass::IN, 300);
    s.add(ipv4(192, 0, 2, 1));  // RDATA content does not matter to the cache
    REQUIRE(c.insert(s, Trust::AnswerAuth, at(0)));
  };
  for (auto owner : {"example.com.", "www.example.com.", "a.b.example.com.", "example.org.",
                     "badexample.com."}) {
    add(owner, RRType::A);
    add(owner, RRType::AAAA);
  }
  CHECK(c.size() == 10);

  CHECK(c.flush_name_type(name("WWW.example.com."), RRType::A) == 1);
  CHECK_FALSE(get(c, "www.example.com.", at(1)));
  CHECK(get(c, "www.example.com.", at(1), RRType::AAAA));
  CHECK(c.flush_name_type(name("www.example.com."), RRType::A) == 0);

  CHECK(c.flush_name(name("example.org.")) == 2);
  CHECK_FALSE(get(c, "example.org.", at(1), RRType::AAAA));

  CHECK(c.flush_subtree(name("Example.COM.")) == 5);
  CHECK_FALSE(get(c, "a.b.example.com.", at(1)));
  CHECK_FALSE(get(c, "example.com.", at(1)));
  CHECK(get(c, "badexample.com.", at(1)));  // not below example.com: label-aligned match
  CHECK(c.size() == 2);
  c.clear();
  CHECK(c.size() == 0);
}

TEST_CASE("RRsetCache: dump is zone-file text with remaining TTLs", "[rrset]") {
  CacheLimits l = limits();
  l.shards = 1;
  RRsetCache c(l, 1 << 20);
  c.insert(a_rrset("www.example.com.", 300, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
  c.insert(a_rrset("old.example.com.", 10, {ipv4(192, 0, 2, 2)}), Trust::Glue, at(0));
  std::ostringstream out;
  c.dump(out, at(100));
  std::string text = out.str();
  CHECK(text.find("; rrset trust=answer-auth ttl=200/300\n") != std::string::npos);
  CHECK(text.find("www.example.com.\t200\tIN\tA\t192.0.2.1\n") != std::string::npos);
  CHECK(text.find("; rrset trust=glue ttl=0/10 stale (expired 90 s ago)\n") != std::string::npos);
}

TEST_CASE("RRsetCache: a unique-name flood stays within budget and keeps the hot set", "[rrset]") {
  CacheLimits l = limits();
  const size_t budget = 256 << 10;
  RRsetCache c(l, budget);
  auto hot_name = [](int i) { return "hot" + std::to_string(i) + ".example.com."; };
  for (int i = 0; i < 64; ++i) {
    c.insert(a_rrset(hot_name(i), 3600, {ipv4(192, 0, 2, uint8_t(i))}), Trust::AnswerAuth, at(0));
  }
  size_t max_seen = 0;
  for (int n = 0; n < 40000; ++n) {
    std::string flood = std::string("r").append(std::to_string(n)).append(".flood.example.net.");
    c.insert(a_rrset(flood, 3600, {ipv4(198, 51, 100, 1), ipv4(198, 51, 100, 2)}),
             Trust::AnswerNonAuth, at(1));
    if (n % 64 == 0) {
      for (int i = 0; i < 64; ++i) REQUIRE(get(c, hot_name(i), at(1)));
    }
    max_seen = std::max(max_seen, c.memory_bytes());
  }
  CHECK(max_seen <= budget);
  CHECK(c.evictions() > 30000);  // the flood did not fit: far more names than the budget
  for (int i = 0; i < 64; ++i) CHECK(get(c, hot_name(i), at(2)));
}

TEST_CASE("RRsetCache: every stored copy has its own generation", "[rrset]") {
  RRsetCache c(CacheLimits{}, 1 << 20);
  auto owner = name("www.example.");
  REQUIRE(c.insert(a_rrset("www.example.", 300, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0)));
  auto first = c.stamp(owner.wire(), RRType::A, RRClass::IN, at(1));
  REQUIRE(first);
  CHECK(first->expiry == at(300));
  CHECK(first->trust == Trust::AnswerAuth);
  CHECK(c.lookup_generation(owner.wire(), RRType::A, RRClass::IN, first->generation, at(1), false));

  SECTION("a refresh with the same data is a new copy") {
    REQUIRE(c.insert(a_rrset("www.example.", 300, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(2)));
    auto second = c.stamp(owner.wire(), RRType::A, RRClass::IN, at(3));
    REQUIRE(second);
    CHECK(second->generation != first->generation);
    CHECK_FALSE(c.lookup_generation(owner.wire(), RRType::A, RRClass::IN, first->generation, at(3),
                                    false));
    CHECK(c.lookup_generation(owner.wire(), RRType::A, RRClass::IN, second->generation, at(3),
                              false));
  }
  SECTION("a generation miss claims no prefetch on the newer copy") {
    REQUIRE(c.insert(a_rrset("www.example.", 100, {ipv4(192, 0, 2, 2)}), Trust::AnswerAuth, at(2)));
    CHECK_FALSE(c.lookup_generation(owner.wire(), RRType::A, RRClass::IN, first->generation,
                                    at(95), false));
    auto hit = c.lookup(owner, RRType::A, RRClass::IN, at(95));
    REQUIRE(hit);
    CHECK(hit->prefetch_due);
  }
  SECTION("stale copies only with allow_stale, and no stamp once expired") {
    CHECK_FALSE(c.stamp(owner.wire(), RRType::A, RRClass::IN, at(300)));
    CHECK_FALSE(c.lookup_generation(owner.wire(), RRType::A, RRClass::IN, first->generation,
                                    at(300), false));
    auto stale = c.lookup_generation(owner.wire(), RRType::A, RRClass::IN, first->generation,
                                     at(300), true);
    REQUIRE(stale);
    CHECK(stale->stale);
    CHECK(stale->rrset.ttl == kStaleTtl);
  }
}

}  // namespace tern::cache
