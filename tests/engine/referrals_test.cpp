// Priming and walking down referrals: glue, glueless delegations, bailiwick of glue.
#include <catch2/catch.hpp>

#include "tests/support/harness.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

// Root -> com. (glue ns.com.) -> example.com. (glue ns1.example.com.) -> answer.
void build_example(Harness& h) {
  h.serve_priming();
  h.net.on_subdomain(h.root(), "com.", referral("com.", {"ns.com."}, {{"ns.com.", "192.5.6.30"}}));
  h.net.on_subdomain(addr("192.5.6.30"), "example.com.",
                     referral("example.com.", {"ns1.example.com."},
                              {{"ns1.example.com.", "198.51.100.1"}}));
  h.net.on(addr("198.51.100.1"), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  h.net.on(addr("198.51.100.1"), "www.example.com.", RRType::NS,
           nodata("example.com."));
}

}  // namespace

TEST_CASE("priming happens on the first query, then referrals with glue are followed",
          "[engine][priming][referral]") {
  auto cfg = Harness::default_config();
  cfg.qname_minimisation = false;
  Harness h(cfg);
  build_example(h);
  CHECK(h.net.sent().empty());  // nothing at start-up

  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK(h.net.sent_text() == std::vector<std::string>{
                                 "193.0.14.129:53 udp . NS",
                                 "193.0.14.129:53 udp www.example.com. A",
                                 "192.5.6.30:53 udp www.example.com. A",
                                 "198.51.100.1:53 udp www.example.com. A",
                             });
  // Every upstream query carries EDNS0 with a 1232-byte buffer and RD=0.
  for (const auto& q : h.net.sent()) {
    CHECK(q.edns);
    CHECK_FALSE(q.rd);
  }

  SECTION("the second question is answered from the cache, synchronously") {
    h.net.clear_sent();
    engine::Query q{wire::Name::from_text("www.example.com.").value(), RRType::A};
    bool called = false;
    h.engine->resolve(q, [&](const engine::Answer& ans) {
      called = true;
      CHECK(ans.from_cache);
    });
    CHECK(called);
    CHECK(h.net.sent().empty());
  }

  SECTION("a sibling name reuses the cached delegation") {
    h.net.on(addr("198.51.100.1"), "mail.example.com.", RRType::A,
             answer({"mail.example.com. 3600 IN A 203.0.113.8"}));
    h.net.clear_sent();
    auto b = h.resolve("mail.example.com.", RRType::A);
    REQUIRE(b);
    CHECK(records_brief(b->answer) == std::vector<std::string>{"mail.example.com. A 203.0.113.8"});
    CHECK(h.net.sent_text() == std::vector<std::string>{"198.51.100.1:53 udp mail.example.com. A"});
  }
}
