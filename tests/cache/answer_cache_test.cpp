#include "cache/answer_cache.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "cache/caches.h"
#include "fixtures.h"

namespace tern::cache {
namespace {

using namespace test;
using wire::RRClass;
using wire::RRType;
using wire::Rcode;

wire::RRset cname_rrset(std::string_view owner, uint32_t ttl, std::string_view target) {
  wire::RRset s(name(owner), RRType::CNAME, RRClass::IN, ttl);
  s.add(name(target).wire());
  return s;
}

Question question(std::string_view qname, RRType type = RRType::A) {
  return Question{name(qname), type, RRClass::IN};
}

RRsetKey key(std::string_view owner, RRType type) { return RRsetKey{name(owner), type, RRClass::IN}; }

// www.example.com. CNAME (TTL 300) -> Web.Example.net. A (TTL 60), both stored at 0, and the
// answer for www.example.com./A stored with them.
void store_cname_answer(Caches& c, AnswerFlags flags = {}) {
  REQUIRE(c.store_rrset(cname_rrset("www.example.com.", 300, "web.example.net."), Trust::AnswerAuth,
                        at(0)));
  REQUIRE(c.store_rrset(a_rrset("Web.Example.net.", 60, {ipv4(192, 0, 2, 1), ipv4(192, 0, 2, 2)}),
                        Trust::AnswerAuth, at(0)));
  AnswerRefs refs;
  refs.answer = {key("www.example.com.", RRType::CNAME), key("web.example.net.", RRType::A)};
  REQUIRE(c.insert_answer(question("www.example.com."), flags, Rcode::NoError, refs, at(0)));
}

}  // namespace

TEST_CASE("AnswerCache: a CNAME answer comes back whole, with countdown TTLs", "[answer]") {
  Caches c(CacheLimits{});
  store_cname_answer(c);
  auto hit = c.lookup_answer(question("WWW.example.COM."), {}, at(10));
  REQUIRE(hit);
  CHECK(hit->rcode == Rcode::NoError);
  REQUIRE(hit->answer.size() == 2);
  CHECK(hit->authority.empty());
  CHECK(hit->additional.empty());
  CHECK_FALSE(hit->negative);
  CHECK(hit->answer[0].rrset.type == RRType::CNAME);
  CHECK(hit->answer[0].rrset.ttl == 290);
  CHECK(hit->answer[1].rrset.type == RRType::A);
  CHECK(hit->answer[1].rrset.owner.to_text() == "Web.Example.net.");  // spelled as received
  CHECK(hit->answer[1].rrset.size() == 2);
  CHECK(hit->answer[1].rrset.ttl == 50);
  CHECK(hit->ttl == 50);
  CHECK_FALSE(hit->stale);

  CHECK(c.lookup_answer(question("www.example.com."), {}, at(59.5))->ttl == 0);
  // The answer expires with its shortest-lived part, at the exact second.
  CHECK_FALSE(c.lookup_answer(question("www.example.com."), {}, at(60)));
  CHECK_FALSE(c.lookup_answer(question("www.example.com."), {}, at(61)));
  // Another type or class at the same name is another question.
  CHECK_FALSE(c.lookup_answer(question("www.example.com.", RRType::AAAA), {}, at(1)));
}

TEST_CASE("AnswerCache: prefetch is due once, when a part is in its last 10%", "[answer]") {
  Caches c(CacheLimits{});
  store_cname_answer(c);
  CHECK_FALSE(c.lookup_answer(question("www.example.com."), {}, at(53))->prefetch_due);
  CHECK(c.lookup_answer(question("www.example.com."), {}, at(54))->prefetch_due);
  CHECK_FALSE(c.lookup_answer(question("www.example.com."), {}, at(55))->prefetch_due);
}

TEST_CASE("AnswerCache: a referenced RRset gone or replaced makes the answer a miss", "[answer]") {
  Caches c(CacheLimits{});
  store_cname_answer(c);
  REQUIRE(c.answers().size() == 1);
  auto q = question("www.example.com.");

  SECTION("removed from the RRset cache behind the answer cache's back") {
    REQUIRE(c.rrsets().flush_name_type(name("web.example.net."), RRType::A) == 1);
    CHECK_FALSE(c.lookup_answer(q, {}, at(1)));
    CHECK(c.answers().size() == 0);  // the miss removed it
  }
  SECTION("replaced by changed data") {
    c.store_rrset(a_rrset("web.example.net.", 60, {ipv4(192, 0, 2, 9)}), Trust::AnswerAuth, at(5));
    CHECK_FALSE(c.lookup_answer(q, {}, at(6)));
    CHECK(c.answers().size() == 0);
  }
  SECTION("replaced by the same data (a refresh): the engine stores a new answer") {
    c.store_rrset(cname_rrset("www.example.com.", 300, "web.example.net."), Trust::AnswerAuth, at(5));
    CHECK_FALSE(c.lookup_answer(q, {}, at(6)));
  }
  SECTION("lower-trust data that is refused leaves the answer valid") {
    CHECK_FALSE(c.store_rrset(a_rrset("web.example.net.", 60, {ipv4(198, 51, 100, 1)}), Trust::Glue,
                              at(5)));
    auto hit = c.lookup_answer(q, {}, at(6));
    REQUIRE(hit);
    CHECK(hit->answer[1].rrset.size() == 2);
  }
  SECTION("a newer answer replaces the older one") {
    c.store_rrset(a_rrset("web.example.net.", 120, {ipv4(192, 0, 2, 9)}), Trust::AnswerAuth, at(5));
    AnswerRefs refs;
    refs.answer = {key("www.example.com.", RRType::CNAME), key("web.example.net.", RRType::A)};
    REQUIRE(c.insert_answer(q, {}, Rcode::NoError, refs, at(5)));
    CHECK(c.answers().size() == 1);
    auto hit = c.lookup_answer(q, {}, at(6));
    REQUIRE(hit);
    CHECK(hit->ttl == 119);
  }
}

TEST_CASE("AnswerCache: flushes drop the answers that refer to the flushed names", "[answer]") {
  Caches c(CacheLimits{});
  store_cname_answer(c);
  SECTION("the chain's target name") {
    auto n = c.flush_name(name("WEB.example.net."));
    CHECK(n.rrsets == 1);
    CHECK(n.answers == 1);
    CHECK(c.answers().size() == 0);
  }
  SECTION("name and type: only the type referred to") {
    CHECK(c.flush_name_type(name("web.example.net."), RRType::AAAA).answers == 0);
    CHECK(c.flush_name_type(name("www.example.com."), RRType::A).answers == 1);  // the question
    CHECK(c.answers().size() == 0);
  }
  SECTION("a subtree holding one link of the chain") {
    CHECK(c.flush_subtree(name("example.net.")).answers == 1);
    CHECK(c.answers().size() == 0);
  }
  SECTION("another subtree") {
    CHECK(c.flush_subtree(name("example.org.")).answers == 0);
    CHECK(c.lookup_answer(question("www.example.com."), {}, at(1)));
  }
  SECTION("everything") {
    c.flush_all();
    CHECK(c.answers().size() == 0);
  }
}

TEST_CASE("AnswerCache: DO and CD are part of the key", "[answer]") {
  Caches c(CacheLimits{});
  AnswerFlags plain, dnssec{true, false}, cd{false, true}, both{true, true};
  store_cname_answer(c, dnssec);
  auto q = question("www.example.com.");
  CHECK(c.lookup_answer(q, dnssec, at(1)));
  CHECK_FALSE(c.lookup_answer(q, plain, at(1)));
  CHECK_FALSE(c.lookup_answer(q, cd, at(1)));
  CHECK_FALSE(c.lookup_answer(q, both, at(1)));
  AnswerRefs refs;
  refs.answer = {key("www.example.com.", RRType::CNAME)};
  REQUIRE(c.insert_answer(q, cd, Rcode::NoError, refs, at(1)));
  CHECK(c.lookup_answer(q, cd, at(2))->answer.size() == 1);
  CHECK(c.lookup_answer(q, dnssec, at(2))->answer.size() == 2);
  CHECK(c.answers().size() == 2);
}

TEST_CASE("AnswerCache: what is not stored", "[answer]") {
  Caches c(CacheLimits{});
  c.store_rrset(a_rrset("www.example.", 300, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
  c.store_rrset(a_rrset("ns.example.", 300, {ipv4(192, 0, 2, 53)}), Trust::Glue, at(0));
  auto q = question("www.example.");
  AnswerRefs ok;
  ok.answer = {key("www.example.", RRType::A)};

  AnswerRefs missing = ok;
  missing.answer.push_back(key("nothere.example.", RRType::A));
  CHECK_FALSE(c.insert_answer(q, {}, Rcode::NoError, missing, at(1)));

  AnswerRefs glue;
  glue.answer = {key("ns.example.", RRType::A)};
  CHECK_FALSE(c.insert_answer(question("ns.example."), {}, Rcode::NoError, glue, at(1)));
  AnswerRefs glue_in_additional = ok;
  glue_in_additional.additional = {key("ns.example.", RRType::A)};
  CHECK(c.insert_answer(q, {}, Rcode::NoError, glue_in_additional, at(1)));
  CHECK(c.lookup_answer(q, {}, at(2))->additional.size() == 1);

  CHECK_FALSE(c.insert_answer(q, {}, Rcode::ServFail, ok, at(1)));
  CHECK_FALSE(c.insert_answer(q, {}, Rcode::NXDomain, ok, at(1)));   // no denial
  CHECK_FALSE(c.insert_answer(q, {}, Rcode::NoError, {}, at(1)));    // nothing at all
  CHECK_FALSE(c.insert_answer(q, {}, Rcode::NoError, ok, at(300)));  // the part expired

  AnswerRefs huge;
  for (size_t i = 0; i <= kMaxAnswerRefs; ++i) huge.answer.push_back(key("www.example.", RRType::A));
  CHECK_FALSE(c.insert_answer(q, {}, Rcode::NoError, huge, at(1)));
}

TEST_CASE("AnswerCache: negative answers take their denial from the negative cache", "[answer]") {
  Caches c(CacheLimits{});
  auto soa = soa_rrset("example.net.", 600, 120);
  REQUIRE(c.store_rrset(cname_rrset("alias.example.com.", 300, "gone.example.net."),
                        Trust::AnswerAuth, at(0)));
  AnswerRefs refs;
  refs.answer = {key("alias.example.com.", RRType::CNAME)};
  refs.negative = key("gone.example.net.", RRType::A);
  auto q = question("alias.example.com.");

  SECTION("NXDOMAIN at the end of a CNAME chain") {
    REQUIRE(c.negative().insert_nxdomain(name("gone.example.net."), RRClass::IN, soa,
                                         Trust::AuthorityAuth, at(0)));
    CHECK_FALSE(c.insert_answer(q, {}, Rcode::NoError, refs, at(0)));  // the denial is NXDOMAIN
    REQUIRE(c.insert_answer(q, {}, Rcode::NXDomain, refs, at(0)));
    auto hit = c.lookup_answer(q, {}, at(20));
    REQUIRE(hit);
    CHECK(hit->rcode == Rcode::NXDomain);
    REQUIRE(hit->answer.size() == 1);
    REQUIRE(hit->negative);
    CHECK(hit->negative->kind == NegativeKind::NxDomain);
    CHECK(hit->negative->soa.ttl == 100);  // min(600, 120) - 20
    CHECK(hit->ttl == 100);
    CHECK_FALSE(c.lookup_answer(q, {}, at(120)));  // gone with the denial

    SECTION("flushing any type at the denied name drops it (NXDOMAIN covers every type)") {
      auto n = c.flush_name_type(name("gone.example.net."), RRType::TXT);
      CHECK(n.negative == 1);
      CHECK(n.answers == 1);
      CHECK(c.answers().size() == 0);
    }
    SECTION("positive data for the target ends the denial, and so the answer") {
      c.store_rrset(a_rrset("gone.example.net.", 300, {ipv4(192, 0, 2, 7)}), Trust::AnswerAuth,
                    at(30));
      CHECK_FALSE(c.lookup_answer(q, {}, at(31)));
    }
  }
  SECTION("NODATA at the end of a CNAME chain; an NXDOMAIN learnt later does not match it") {
    REQUIRE(c.negative().insert_nodata(name("gone.example.net."), RRType::A, RRClass::IN, soa,
                                       Trust::AuthorityAuth, at(0)));
    REQUIRE(c.insert_answer(q, {}, Rcode::NoError, refs, at(0)));
    auto hit = c.lookup_answer(q, {}, at(1));
    REQUIRE(hit);
    CHECK(hit->negative->kind == NegativeKind::NoData);
    c.negative().insert_nxdomain(name("gone.example.net."), RRClass::IN, soa, Trust::AuthorityAuth,
                                 at(2));
    CHECK_FALSE(c.lookup_answer(q, {}, at(3)));
  }
}

TEST_CASE("AnswerCache: serve-stale answers from expired parts (RFC 8767)", "[answer]") {
  SECTION("on") {
    Caches c(CacheLimits{});
    store_cname_answer(c);
    auto q = question("www.example.com.");
    CHECK_FALSE(c.lookup_answer(q, {}, at(60)));
    auto old = c.lookup_answer_stale(q, {}, at(60));
    REQUIRE(old);
    CHECK(old->stale);
    CHECK(old->answer[0].rrset.ttl == 240);  // the CNAME is still fresh
    CHECK_FALSE(old->answer[0].stale);
    CHECK(old->answer[1].stale);
    CHECK(old->answer[1].rrset.ttl == kStaleTtl);
    CHECK(old->ttl == kStaleTtl);
    // Fresh answers come back from the stale variant as from lookup.
    CHECK_FALSE(c.lookup_answer_stale(q, {}, at(59))->stale);
    // Stale window: 1 day after the A record expired.
    CHECK(c.lookup_answer_stale(q, {}, at(60 + 86399.9)));
    CHECK_FALSE(c.lookup_answer_stale(q, {}, at(60 + 86400)));
    CHECK(c.answers().size() == 0);
  }
  SECTION("off") {
    CacheLimits l;
    l.serve_stale = false;
    Caches c(l);
    store_cname_answer(c);
    CHECK_FALSE(c.lookup_answer_stale(question("www.example.com."), {}, at(60)));
  }
}

TEST_CASE("AnswerCache: bounded in bytes within its share of the one budget", "[answer]") {
  CacheLimits l;
  l.bytes = 4 << 20;
  Caches c(l);
  size_t stored = 0;
  for (int n = 0; n < 40000; ++n) {
    std::string owner = "host" + std::to_string(n) + ".example.";
    c.store_rrset(a_rrset(owner, 3600, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
    AnswerRefs refs;
    refs.answer = {key(owner, RRType::A)};
    if (c.insert_answer(question(owner), {}, Rcode::NoError, refs, at(0))) ++stored;
    // A hot question asked throughout survives the stream (SIEVE).
    if (n % 64 == 0) REQUIRE(c.lookup_answer(question("host0.example."), {}, at(0)));
    REQUIRE(c.answers().memory_bytes() <= share_of(l.bytes, kAnswerSharePercent));
  }
  CHECK(stored == 40000);
  CHECK(c.answers().evictions() > 0);
  CHECK(c.answers().size() > 2000);
  CHECK(c.memory_bytes() + c.packet_cache_budget(1) <= l.bytes);
}

}  // namespace tern::cache

namespace tern::cache {

TEST_CASE("AnswerCache: dump lists answers as comments", "[answer]") {
  using namespace test;
  Caches c(CacheLimits{});
  store_cname_answer(c, AnswerFlags{true, false});
  std::ostringstream out;
  c.dump(out, at(10));
  CHECK(out.str().find("; answer www.example.com. IN A +do NOERROR ttl=50 "
                       "answer=www.example.com./CNAME answer=web.example.net./A\n") !=
        std::string::npos);
}

TEST_CASE("AnswerCache: threads storing, replacing, reading and flushing answers", "[answer][threads]") {
  using namespace test;
  CacheLimits l;
  l.bytes = 2 << 20;
  Caches c(l);
  auto writer = [&] {
    for (int i = 0; i < 3000; ++i) {
      std::string owner = std::string("w").append(std::to_string(i % 300)).append(".example.");
      std::string target = std::string("t").append(std::to_string(i % 300)).append(".example.net.");
      auto now = at(i * 0.01);
      c.store_rrset(cname_rrset(owner, 60, target), Trust::AnswerAuth, now);
      c.store_rrset(a_rrset(target, 60, {ipv4(192, 0, 2, uint8_t(i))}), Trust::AnswerAuth, now);
      AnswerRefs refs;
      refs.answer = {key(owner, RRType::CNAME), key(target, RRType::A)};
      c.insert_answer(question(owner), {}, Rcode::NoError, refs, now);
      if (i % 500 == 250) c.flush_subtree(name("example.net."));
    }
  };
  // Counted in the thread and checked after the join (Catch2 assertions are not thread-safe).
  size_t whole = 0, partial = 0;
  auto reader = [&] {
    for (int i = 0; i < 6000; ++i) {
      std::string owner = std::string("w").append(std::to_string(i % 300)).append(".example.");
      if (auto hit = c.lookup_answer(question(owner), {}, at(i * 0.005))) {
        // Whole or not at all: never a CNAME without the RRset it leads to.
        ++(hit->answer.size() == 2 ? whole : partial);
      }
    }
  };
  std::thread a(writer), b(reader);
  a.join();
  b.join();
  CHECK(partial == 0);
  CHECK(whole > 0);
  CHECK(c.memory_bytes() <= l.bytes);
  CHECK(c.lookup_answer(question("w299.example."), {}, at(29.99)));
}

}  // namespace tern::cache
