// The answer cache in the engine: a repeated question is answered by one answer-cache lookup;
// a miss (a referenced RRset flushed) falls back to the RRset walk; DO and CD are distinct keys.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

std::optional<engine::Answer> ask(Harness& h, const char* qname, RRType qtype, bool dnssec_ok,
                                  bool cd) {
  engine::Query q;
  q.qname = wire::Name::from_text(qname).value();
  q.qtype = qtype;
  q.dnssec_ok = dnssec_ok;
  q.cd = cd;
  std::optional<engine::Answer> out;
  h.engine->resolve(q, [&out](const engine::Answer& a) { out = a; });
  h.clock.run_until_idle();
  return out;
}

void serve_alias(Harness& h) {
  for (const char* ns : {kNs1, kNs2}) {
    h.net.on(addr(ns), "alias.example.com.", RRType::A,
             answer({"alias.example.com. 300 IN CNAME www.example.com.",
                     "www.example.com. 200 IN A 203.0.113.7"}));
    h.net.on(addr(ns), "www.example.com.", RRType::A,
             answer({"www.example.com. 200 IN A 203.0.113.7"}));
    h.net.on(addr(ns), "gone.example.com.", RRType::A, nxdomain("example.com."));
    h.net.on(addr(ns), "www.example.com.", RRType::TXT, nodata("example.com."));
  }
}

}  // namespace

TEST_CASE("a repeated CNAME question is answered from the answer cache", "[engine][answer-cache]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  serve_alias(h);
  auto first = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(first);
  REQUIRE(first->rcode == wire::Rcode::NoError);
  CHECK(h.engine->stats().answers_stored == 1);
  h.clock.advance(std::chrono::seconds(50));
  h.net.clear_sent();
  auto second = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(second);
  CHECK(second->from_cache);
  CHECK(h.net.sent().empty());
  CHECK(h.engine->stats().answer_cache_hits == 1);
  CHECK(second->rcode == first->rcode);
  CHECK(records_brief(second->answer) == records_brief(first->answer));
  REQUIRE(second->answer.size() == 2);
  CHECK(second->answer[0].ttl == first->answer[0].ttl - 50);
  CHECK(second->answer[1].ttl == first->answer[1].ttl - 50);

  SECTION("a flushed referenced RRset falls back to the RRset walk") {
    h.caches.rrsets().flush_name(wire::Name::from_text("www.example.com.").value());
    auto third = h.resolve("alias.example.com.", RRType::A);
    REQUIRE(third);
    CHECK(h.engine->stats().answer_cache_hits == 1);
    CHECK(records_brief(third->answer) == records_brief(first->answer));
    // The walk still follows the cached CNAME: only the flushed target goes upstream.
    REQUIRE(h.net.sent().size() == 1);
    CHECK(h.net.sent().front().qname.to_text() == "www.example.com.");
  }
}

TEST_CASE("NXDOMAIN and NODATA answers are kept in the answer cache", "[engine][answer-cache]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  serve_alias(h);
  auto nx = h.resolve("gone.example.com.", RRType::A);
  REQUIRE(nx);
  REQUIRE(nx->rcode == wire::Rcode::NXDomain);
  auto nodata = h.resolve("www.example.com.", RRType::TXT);
  REQUIRE(nodata);
  REQUIRE(nodata->rcode == wire::Rcode::NoError);
  REQUIRE(nodata->answer.empty());
  CHECK(h.engine->stats().answers_stored == 2);
  h.net.clear_sent();
  auto nx2 = h.resolve("gone.example.com.", RRType::A);
  auto nodata2 = h.resolve("www.example.com.", RRType::TXT);
  REQUIRE(nx2);
  REQUIRE(nodata2);
  CHECK(h.net.sent().empty());
  CHECK(h.engine->stats().answer_cache_hits == 2);
  CHECK(nx2->rcode == wire::Rcode::NXDomain);
  CHECK(records_brief(nx2->authority) == records_brief(nx->authority));
  CHECK(nodata2->rcode == wire::Rcode::NoError);
  CHECK(nodata2->answer.empty());
  CHECK(records_brief(nodata2->authority) == records_brief(nodata->authority));
}

TEST_CASE("DO and CD questions are distinct answer-cache keys", "[engine][answer-cache]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  serve_alias(h);
  REQUIRE(ask(h, "www.example.com.", RRType::A, false, false));
  CHECK(h.engine->stats().answers_stored == 1);
  // Same question with DO, then CD: the answer cache misses (the RRset walk answers and nothing
  // new is stored by a synchronous cache answer).
  auto with_do = ask(h, "www.example.com.", RRType::A, true, false);
  REQUIRE(with_do);
  CHECK(with_do->from_cache);
  CHECK(h.engine->stats().answer_cache_hits == 0);
  auto with_cd = ask(h, "www.example.com.", RRType::A, false, true);
  REQUIRE(with_cd);
  CHECK(h.engine->stats().answer_cache_hits == 0);
  auto plain = ask(h, "www.example.com.", RRType::A, false, false);
  REQUIRE(plain);
  CHECK(h.engine->stats().answer_cache_hits == 1);
}

TEST_CASE("serve-stale answers a CNAME chain from the answer cache",
          "[engine][answer-cache][stale]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  auto& ok = h.net.on(addr(kNs1), "alias.example.com.", RRType::A,
                      answer({"alias.example.com. 60 IN CNAME www.example.com.",
                              "www.example.com. 60 IN A 203.0.113.7"}));
  ok.max_uses = 1;
  for (const char* ns : {kNs1, kNs2}) {
    h.net.on(addr(ns), "alias.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
    h.net.on(addr(ns), "www.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  }
  auto first = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(first);
  REQUIRE(first->rcode == wire::Rcode::NoError);
  h.clock.advance(std::chrono::seconds(120));
  auto a = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(a->stale);
  CHECK(h.engine->stats().stale_answer_cache_hits == 1);
  CHECK(records_brief(a->answer) == records_brief(first->answer));
}
