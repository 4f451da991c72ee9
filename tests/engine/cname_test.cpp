// CNAME and DNAME chasing: across zones, partial chains, loops.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("CNAME into another zone is chased from that zone's delegation", "[engine][cname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "org.", referral("org.", {"ns.org."}, {{"ns.org.", "199.19.56.1"}}));
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, cname("www.example.com.", "cdn.example.org."));
  h.net.on(addr("199.19.56.1"), "cdn.example.org.", RRType::A,
           answer({"cdn.example.org. 60 IN A 203.0.113.99"}));

  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{
                                        "www.example.com. CNAME cdn.example.org.",
                                        "cdn.example.org. A 203.0.113.99",
                                    });
  CHECK(h.net.sent_text().back() == "199.19.56.1:53 udp cdn.example.org. A");

  SECTION("the whole chain is then answered from the cache") {
    h.net.clear_sent();
    auto b = h.resolve("www.example.com.", RRType::A);
    REQUIRE(b);
    CHECK(b->from_cache);
    CHECK(records_brief(b->answer).size() == 2);
    CHECK(h.net.sent().empty());
  }
}

TEST_CASE("a partial chain is continued from its last target", "[engine][cname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "org.", referral("org.", {"ns.org."}, {{"ns.org.", "199.19.56.1"}}));
  // In-zone hop answered, the out-of-zone target left for us.
  h.net.on(addr(kNs1), "a.example.com.", RRType::A,
           cname("a.example.com.", "b.example.com.", {"b.example.com. 3600 IN CNAME c.example.org."}));
  h.net.on(addr("199.19.56.1"), "c.example.org.", RRType::A,
           answer({"c.example.org. 60 IN A 203.0.113.5"}));
  auto a = h.resolve("a.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{
                                        "a.example.com. CNAME b.example.com.",
                                        "b.example.com. CNAME c.example.org.",
                                        "c.example.org. A 203.0.113.5",
                                    });
  // b.example.com. was never asked separately: the response carried it.
  for (const auto& q : h.net.sent()) CHECK_FALSE(q.qname.to_text() == "b.example.com.");
}

TEST_CASE("an out-of-zone record after a CNAME is not believed", "[engine][cname][poisoning]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "org.", referral("org.", {"ns.org."}, {{"ns.org.", "199.19.56.1"}}));
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           cname("www.example.com.", "bank.example.org.",
                 {"bank.example.org. 86400 IN A 6.6.6.6"}));
  h.net.on(addr("199.19.56.1"), "bank.example.org.", RRType::A,
           answer({"bank.example.org. 60 IN A 203.0.113.10"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer).back() == "bank.example.org. A 203.0.113.10");
  CHECK(h.engine->stats().scrubbed_records >= 1);
}

TEST_CASE("DNAME is followed by synthesising the CNAME", "[engine][dname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "org.", referral("org.", {"ns.org."}, {{"ns.org.", "199.19.56.1"}}));
  h.net.on(addr(kNs1), "www.old.example.com.", RRType::A,
           answer({"old.example.com. 3600 IN DNAME new.example.org.",
                   "www.old.example.com. 3600 IN CNAME www.new.example.org."}));
  h.net.on(addr("199.19.56.1"), "www.new.example.org.", RRType::A,
           answer({"www.new.example.org. 60 IN A 203.0.113.44"}));
  auto a = h.resolve("www.old.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{
                                        "old.example.com. DNAME new.example.org.",
                                        "www.old.example.com. CNAME www.new.example.org.",
                                        "www.new.example.org. A 203.0.113.44",
                                    });
}

TEST_CASE("a CNAME loop ends in SERVFAIL", "[engine][cname][limits]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "a.example.com.", RRType::A, cname("a.example.com.", "b.example.com."));
  h.net.on(addr(kNs1), "b.example.com.", RRType::A, cname("b.example.com.", "a.example.com."));
  auto a = h.resolve("a.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::CnameLoop);
  // The chain as far as it was followed.
  CHECK(records_brief(a->answer) == std::vector<std::string>{
                                        "a.example.com. CNAME b.example.com.",
                                        "b.example.com. CNAME a.example.com.",
                                    });
}

TEST_CASE("the CNAME chain limit", "[engine][cname][limits]") {
  auto cfg = no_minimisation();
  Harness h(cfg);
  build_example_tree(h);
  // c0 -> c1 -> ... -> c20, each answered by its own query.
  for (int i = 0; i < 20; ++i) {
    auto owner = std::string("c").append(std::to_string(i)).append(".example.com.");
    auto target = std::string("c").append(std::to_string(i + 1)).append(".example.com.");
    h.net.on(addr(kNs1), owner, RRType::A, cname(owner, target));
  }
  auto a = h.resolve("c0.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::CnameChainTooLong);
  // Exactly max_cname_chain hops were followed: c0..c11 asked, c12 never.
  size_t asked = 0;
  for (const auto& q : h.net.sent())
    if (q.server.to_string() == "198.51.100.1:53") ++asked;
  CHECK(asked == engine::kMaxCnameChain + 1);
}

TEST_CASE("a DNAME substitution longer than 255 octets is YXDOMAIN", "[engine][dname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  std::string target;
  for (int i = 0; i < 4; ++i) target += std::string(60, 'x') + ".";
  std::string qname = std::string(30, 'q') + ".long.example.com.";
  h.net.on(addr(kNs1), qname, RRType::A, answer({"long.example.com. 3600 IN DNAME " + target}));
  auto a = h.resolve(qname, RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::YXDomain);
  REQUIRE(a->answer.size() == 1);
  CHECK(a->answer[0].type == RRType::DNAME);
}

TEST_CASE("a YXDOMAIN response carrying the overflowing DNAME is believed", "[engine][dname]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  std::string target;
  for (int i = 0; i < 4; ++i) target += std::string(60, 'x') + ".";
  std::string qname = std::string(30, 'q') + ".long.example.com.";
  h.net.on(addr(kNs1), qname, RRType::A,
           answer({"long.example.com. 3600 IN DNAME " + target}).with_rcode(wire::Rcode::YXDomain));
  h.net.on(addr(kNs2), "x.example.com.", RRType::A, rcode(wire::Rcode::YXDomain, true));
  auto a = h.resolve(qname, RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::YXDomain);
  // Without the DNAME, a YXDOMAIN is just a failing server.
  h.net.on(addr(kNs1), "x.example.com.", RRType::A, rcode(wire::Rcode::YXDomain, true));
  auto b = h.resolve("x.example.com.", RRType::A);
  REQUIRE(b);
  CHECK(b->rcode == wire::Rcode::ServFail);
}

TEST_CASE("a cached DNAME answers other names below it without asking its zone",
          "[engine][dname]") {
  Harness h;  // with QNAME minimisation: nothing below the DNAME's owner is asked
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "org.", referral("org.", {"ns.org."}, {{"ns.org.", "199.19.56.1"}}));
  h.net.on(addr(kNs1), "old.example.com.", RRType::NS,
           answer({"old.example.com. 3600 IN DNAME new.example.org."}));
  h.net.on(addr(kNs1), "www.old.example.com.", RRType::A,
           answer({"old.example.com. 3600 IN DNAME new.example.org."}));
  h.net.on_subdomain(addr("199.19.56.1"), "new.example.org.",
                     answer({"www.new.example.org. 60 IN A 203.0.113.44",
                             "mail.new.example.org. 60 IN A 203.0.113.45"}));
  REQUIRE(h.resolve("www.old.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  h.net.clear_sent();
  h.net.on(addr("199.19.56.1"), "mail.new.example.org.", RRType::A,
           answer({"mail.new.example.org. 60 IN A 203.0.113.45"}));
  auto a = h.resolve("mail.old.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{
                                        "old.example.com. DNAME new.example.org.",
                                        "mail.old.example.com. CNAME mail.new.example.org.",
                                        "mail.new.example.org. A 203.0.113.45",
                                    });
  for (const auto& q : h.net.sent())
    CHECK_FALSE(q.qname.is_subdomain_of(wire::Name::from_text("old.example.com.").value()));
}
