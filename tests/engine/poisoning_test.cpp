// Poisoning attempts: wrong ID, a response for another question, out-of-bailiwick answers,
// unsolicited additional records. None of it may be used or cached.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

bool cached(Harness& h, std::string_view name, RRType type) {
  return h.caches.rrsets()
      .lookup(wire::Name::from_text(name).value(), type, wire::RRClass::IN, h.clock.now())
      .has_value();
}

}  // namespace

TEST_CASE("a response with the wrong ID is rejected", "[engine][poisoning]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 6.6.6.6"}).with_id(4242));
  h.net.on(addr(kNs2), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK(h.engine->stats().rejected_responses >= 1);
}

TEST_CASE("a response for another question is rejected", "[engine][poisoning]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"bank.example.com. 3600 IN A 6.6.6.6"})
               .with_question("bank.example.com.", RRType::A));
  h.net.on(addr(kNs2), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK_FALSE(cached(h, "bank.example.com.", RRType::A));
}

TEST_CASE("answer records outside the server's zone are dropped", "[engine][poisoning]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7",
                   "www.bank.com. 86400 IN A 6.6.6.6", "com. 86400 IN NS ns.evil.net."}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK_FALSE(cached(h, "www.bank.com.", RRType::A));
  auto com_ns = h.caches.rrsets().lookup(wire::Name::from_text("com.").value(), RRType::NS,
                                         wire::RRClass::IN, h.clock.now());
  REQUIRE(com_ns);
  CHECK(records_brief({com_ns->rrset}) == std::vector<std::string>{"com. NS ns.com."});
}

TEST_CASE("unsolicited additional records are not cached", "[engine][poisoning]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"})
               .add("mail.example.com. 86400 IN A 6.6.6.6")
               .add("www.bank.com. 86400 IN A 6.6.6.6"));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->additional.empty());
  CHECK_FALSE(cached(h, "mail.example.com.", RRType::A));
  CHECK_FALSE(cached(h, "www.bank.com.", RRType::A));
}

TEST_CASE("a referral cannot hijack a zone it is not below", "[engine][poisoning][lame]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  // ns1 "delegates" www.example.com. to a sideways zone: lame, ignored.
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           referral("example.org.", {"ns.evil.org."}, {{"ns.evil.org.", "6.6.6.6"}}));
  h.net.on(addr(kNs2), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  for (const auto& q : h.net.sent()) CHECK(q.server.to_string() != "6.6.6.6:53");
}

TEST_CASE("every upstream query uses a fresh ID from the injected Random", "[engine][poisoning]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  REQUIRE(h.resolve("www.example.com.", RRType::A));
  SequenceRandom expected;
  for (const auto& q : h.net.sent()) CHECK(q.id == uint16_t(expected.next_u32()));
}
