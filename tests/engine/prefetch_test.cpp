// Prefetch of a name whose answer is a CNAME chain: what is about to expire is asked upstream.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

uint32_t cached_ttl(Harness& h, const char* name, RRType type) {
  auto hit = h.caches.rrsets().lookup(wire::Name::from_text(name).value(), type, wire::RRClass::IN,
                                      h.clock.now());
  return hit ? hit->rrset.ttl : 0;
}

std::vector<std::string> sent_qnames(Harness& h) {
  std::vector<std::string> out;
  for (const auto& q : h.net.sent()) out.push_back(q.qname.to_text());
  return out;
}

void serve_alias(Harness& h, uint32_t cname_ttl, uint32_t a_ttl) {
  auto a_rec = "www.example.com. " + std::to_string(a_ttl) + " IN A 203.0.113.7";
  auto cname_rec = "alias.example.com. " + std::to_string(cname_ttl) +
                   " IN CNAME www.example.com.";
  for (const char* ns : {kNs1, kNs2}) {
    h.net.on(addr(ns), "alias.example.com.", RRType::A, answer({cname_rec, a_rec}));
    h.net.on(addr(ns), "www.example.com.", RRType::A, answer({a_rec}));
  }
}

}  // namespace

TEST_CASE("prefetch of a CNAME chain near expiry refreshes the CNAME and its target",
          "[engine][prefetch][cname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  serve_alias(h, 100, 100);
  REQUIRE(h.resolve("alias.example.com.", RRType::A));
  // The near-expiry hit comes from the answer cache, or (emptied) from the RRset walk, where the
  // CNAME's own prefetch_due asks for the refresh.
  const bool via_walk = GENERATE(false, true);
  if (via_walk) h.caches.answers().clear();
  h.clock.advance(std::chrono::seconds(91));
  h.net.clear_sent();
  auto a = h.resolve("alias.example.com.", RRType::A);  // from the cache, 9 s left...
  REQUIRE(a);
  CHECK(a->from_cache);
  REQUIRE(a->answer.size() == 2);
  CHECK(a->answer[0].ttl <= 9);
  CHECK(h.engine->stats().answer_cache_hits == (via_walk ? 0u : 1u));
  h.clock.run_until_idle();  // ...and the prefetch goes upstream instead of reading the old chain
  CHECK(h.engine->stats().prefetches == 1);
  REQUIRE_FALSE(h.net.sent().empty());
  CHECK(sent_qnames(h).front() == "alias.example.com.");
  CHECK(cached_ttl(h, "alias.example.com.", RRType::CNAME) > 90);
  CHECK(cached_ttl(h, "www.example.com.", RRType::A) > 90);

  h.net.clear_sent();
  auto b = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(b);
  CHECK(b->from_cache);
  CHECK(h.net.sent().empty());
  REQUIRE(b->answer.size() == 2);
  CHECK(b->answer[0].ttl > 90);
  CHECK(b->answer[1].ttl > 90);
}

TEST_CASE("prefetch follows a long-lived cached CNAME and refreshes only the target",
          "[engine][prefetch][cname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  serve_alias(h, 3600, 100);
  REQUIRE(h.resolve("alias.example.com.", RRType::A));
  h.clock.advance(std::chrono::seconds(91));
  h.net.clear_sent();
  auto a = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->from_cache);
  h.clock.run_until_idle();
  CHECK(h.engine->stats().prefetches == 1);
  CHECK(sent_qnames(h) == std::vector<std::string>{"www.example.com."});
  CHECK(cached_ttl(h, "www.example.com.", RRType::A) > 90);
  CHECK(cached_ttl(h, "alias.example.com.", RRType::CNAME) < 3600 - 90);
}

TEST_CASE("a CNAME near expiry before its long-lived target asks for the prefetch itself",
          "[engine][prefetch][cname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  serve_alias(h, 100, 3600);
  REQUIRE(h.resolve("alias.example.com.", RRType::A));
  const bool via_walk = GENERATE(false, true);
  if (via_walk) h.caches.answers().clear();
  h.clock.advance(std::chrono::seconds(91));
  h.net.clear_sent();
  auto a = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->from_cache);
  h.clock.run_until_idle();
  CHECK(h.engine->stats().prefetches == 1);
  REQUIRE_FALSE(h.net.sent().empty());
  CHECK(sent_qnames(h).front() == "alias.example.com.");
  CHECK(cached_ttl(h, "alias.example.com.", RRType::CNAME) > 90);
}
