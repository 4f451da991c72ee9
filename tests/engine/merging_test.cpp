// In-flight merging: identical questions share one resolution.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("a thousand identical questions cause one resolution", "[engine][merging]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  std::vector<std::optional<engine::Answer>> answers(1000);
  for (auto& a : answers) h.resolve_async("WWW.Example.com.", RRType::A, &a);
  CHECK(h.engine->in_flight() == 1);
  CHECK(h.engine->stats().merged == 999);
  h.clock.run_until_idle();
  for (const auto& a : answers) {
    REQUIRE(a);
    CHECK(a->rcode == wire::Rcode::NoError);
    CHECK(a->answer.size() == 1);
  }
  CHECK(h.net.sent().size() == 4);  // priming, root, com., example.com.
  CHECK(h.engine->in_flight() == 0);
}

TEST_CASE("different types are not merged", "[engine][merging]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  h.net.on(addr(kNs1), "www.example.com.", RRType::AAAA,
           answer({"www.example.com. 3600 IN AAAA 2001:db8::7"}));
  std::optional<engine::Answer> a, b;
  h.resolve_async("www.example.com.", RRType::A, &a);
  h.resolve_async("www.example.com.", RRType::AAAA, &b);
  CHECK(h.engine->in_flight() == 2);
  h.clock.run_until_idle();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(records_brief(b->answer) == std::vector<std::string>{"www.example.com. AAAA 2001:db8::7"});
}

TEST_CASE("a waiter may ask again from inside its callback", "[engine][merging]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  std::optional<engine::Answer> second;
  bool first = false;
  engine::Query q{wire::Name::from_text("www.example.com.").value(), RRType::A};
  h.engine->resolve(q, [&](const engine::Answer&) {
    first = true;
    h.engine->resolve(q, [&](const engine::Answer& a) { second = a; });
  });
  h.clock.run_until_idle();
  CHECK(first);
  REQUIRE(second);
  CHECK(second->from_cache);
}

TEST_CASE("an engine destroyed with resolutions in flight ignores late transport callbacks",
          "[engine][lifetime]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  bool called = false;
  engine::Query q{wire::Name::from_text("www.example.com.").value(), RRType::A};
  h.engine->resolve(q, [&](const engine::Answer&) { called = true; });
  CHECK(h.engine->in_flight() == 1);
  h.engine.reset();
  h.clock.run_until_idle();  // the simulated network still delivers the priming answer
  CHECK_FALSE(called);
}

// Waiter caps (DNSBomb): a merged resolution must not turn into an unbounded burst of replies.

namespace {

engine::Query www_query(RRType type = RRType::A) {
  return engine::Query{wire::Name::from_text("www.example.com.").value(), type};
}

engine::Address client_addr(std::string_view text) { return engine::Address::parse(text).value(); }

}  // namespace

TEST_CASE("identical questions beyond max_waiters_per_query are dropped at once",
          "[engine][merging][waiters]") {
  auto cfg = no_minimisation();
  cfg.max_waiters_per_query = 10;
  Harness h(cfg);
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  std::vector<std::optional<engine::Answer>> answers(25);
  for (auto& a : answers) h.resolve_async("www.example.com.", RRType::A, &a);
  // The 15 over the cap are told at once, synchronously, to send nothing.
  size_t dropped_now = 0;
  for (const auto& a : answers) dropped_now += a && a->dropped;
  CHECK(dropped_now == 15);
  CHECK(h.engine->stats().waiters_over_query_cap == 15);
  h.clock.run_until_idle();
  size_t answered = 0;
  for (const auto& a : answers) {
    REQUIRE(a);
    if (!a->dropped) {
      ++answered;
      CHECK(a->rcode == wire::Rcode::NoError);
    }
  }
  CHECK(answered == 10);
}

TEST_CASE("one client address may not wait on more than wait_limit questions",
          "[engine][merging][waiters]") {
  auto cfg = no_minimisation();
  cfg.wait_limit = 3;
  Harness h(cfg);
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  h.net.on(addr(kNs1), "www.example.com.", RRType::AAAA,
           answer({"www.example.com. 3600 IN AAAA 2001:db8::7"}));
  std::vector<std::optional<engine::Answer>> a(6);
  auto ask = [&](engine::Query q, std::string_view client, std::optional<engine::Answer>* out) {
    h.engine->resolve(q, [out](const engine::Answer& ans) { *out = ans; }, client_addr(client));
  };
  // The limit counts every question the address waits on, merged or not, whatever its port.
  ask(www_query(), "198.51.100.1:1000", &a[0]);
  ask(www_query(), "198.51.100.1:1001", &a[1]);
  ask(www_query(RRType::AAAA), "198.51.100.1:1002", &a[2]);
  ask(www_query(RRType::AAAA), "198.51.100.1:1003", &a[3]);  // the fourth: dropped
  ask(www_query(RRType::AAAA), "198.51.100.2:1000", &a[4]);  // another address: admitted
  CHECK(h.engine->in_flight() == 2);
  REQUIRE(a[3]);
  CHECK(a[3]->dropped);
  CHECK(h.engine->stats().waiters_over_wait_limit == 1);
  h.clock.run_until_idle();
  for (size_t i : {0, 1, 2, 4}) {
    REQUIRE(a[i]);
    CHECK_FALSE(a[i]->dropped);
    CHECK(a[i]->rcode == wire::Rcode::NoError);
  }
  // Answered waiters no longer count: the address may wait again (a new resolution, TXT).
  h.net.on(addr(kNs1), "www.example.com.", RRType::TXT,
           answer({"www.example.com. 3600 IN TXT \"x\""}));
  ask(www_query(RRType::TXT), "198.51.100.1:1004", &a[5]);
  CHECK(h.engine->in_flight() == 1);
  h.clock.run_until_idle();
  REQUIRE(a[5]);
  CHECK_FALSE(a[5]->dropped);
  CHECK(a[5]->rcode == wire::Rcode::NoError);
}

TEST_CASE("waiters older than discard_timeout get no answer", "[engine][merging][waiters]") {
  auto cfg = no_minimisation();
  cfg.discard_timeout = engine::milliseconds(100);
  Harness h(cfg);
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}).with_delay(Millis(300)));
  std::optional<engine::Answer> first, early, late, internal;
  auto ask = [&](std::optional<engine::Answer>* out, std::optional<engine::Address> client) {
    h.engine->resolve(www_query(), [out](const engine::Answer& a) { *out = a; }, client);
  };
  ask(&first, client_addr("198.51.100.9:1000"));  // starts the resolution: always answered
  ask(&early, client_addr("198.51.100.1:1000"));
  ask(&internal, std::nullopt);  // a TCP client: answered however late
  h.clock.advance(Millis(250));
  REQUIRE_FALSE(early);
  ask(&late, client_addr("198.51.100.1:1001"));
  h.clock.run_until_idle();
  // The answer came ~330 ms after the first questions: too late for the merged one asked then,
  // in time for the one asked at 250 ms; the one that started the resolution is answered.
  REQUIRE(early);
  CHECK(early->dropped);
  REQUIRE(late);
  CHECK_FALSE(late->dropped);
  CHECK(late->rcode == wire::Rcode::NoError);
  REQUIRE(internal);
  CHECK_FALSE(internal->dropped);
  REQUIRE(first);
  CHECK_FALSE(first->dropped);
  CHECK(h.engine->stats().waiters_discarded == 1);
  // The resolution itself is not wasted: the answer is cached for the next question.
  auto again = h.resolve("www.example.com.", RRType::A);
  REQUIRE(again);
  CHECK(again->from_cache);
}

TEST_CASE("a full resolution sheds its expired waiters to admit a fresh one",
          "[engine][merging][waiters]") {
  auto cfg = no_minimisation();
  cfg.max_waiters_per_query = 2;
  cfg.discard_timeout = engine::milliseconds(100);
  Harness h(cfg);
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}).with_delay(Millis(300)));
  std::optional<engine::Answer> a, b, c;
  auto ask = [&](std::optional<engine::Answer>* out, std::string_view client) {
    h.engine->resolve(www_query(), [out](const engine::Answer& ans) { *out = ans; },
                      client_addr(client));
  };
  ask(&a, "198.51.100.1:1000");  // started the resolution: kept
  ask(&b, "198.51.100.2:1000");
  h.clock.advance(Millis(250));
  ask(&c, "198.51.100.3:1000");
  // b was past the discard timeout: shed at once, and the new one admitted in its place.
  REQUIRE(b);
  CHECK(b->dropped);
  CHECK_FALSE(a);
  CHECK_FALSE(c);
  h.clock.run_until_idle();
  REQUIRE(a);
  CHECK_FALSE(a->dropped);
  REQUIRE(c);
  CHECK_FALSE(c->dropped);
  CHECK(c->rcode == wire::Rcode::NoError);
}

// The front end's second-level cache (Redis) is asked only between these two calls: resolving()
// says a question would merge, answer_cached() answers from the engine's caches alone and never
// starts a resolution or sends anything.
TEST_CASE("resolving() and answer_cached(): the cache fast path alone, no resolution", "[engine][merging]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  engine::Query q{wire::Name::from_text("www.example.com.").value(), RRType::A};
  engine::Query upper{wire::Name::from_text("WWW.EXAMPLE.com.").value(), RRType::A};
  bool called = false;
  CHECK_FALSE(h.engine->answer_cached(q, [&](const engine::Answer&) { called = true; }));
  CHECK_FALSE(called);
  CHECK(h.net.sent().empty());
  CHECK(h.engine->in_flight() == 0);
  CHECK_FALSE(h.engine->resolving(q));

  std::optional<engine::Answer> first;
  h.resolve_async("www.example.com.", RRType::A, &first);
  CHECK(h.engine->resolving(q));
  CHECK(h.engine->resolving(upper));
  CHECK_FALSE(h.engine->resolving(engine::Query{q.qname, RRType::AAAA}));
  h.clock.run_until_idle();
  REQUIRE(first);
  CHECK_FALSE(h.engine->resolving(q));

  size_t sent = h.net.sent().size();
  std::optional<engine::Answer> cached;
  CHECK(h.engine->answer_cached(upper, [&](const engine::Answer& a) { cached = a; }));
  REQUIRE(cached);
  CHECK(cached->from_cache);
  CHECK(records_brief(cached->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK(h.net.sent().size() == sent);
}
