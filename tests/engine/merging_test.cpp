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
