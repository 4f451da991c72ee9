// Glueless delegations, glue outside the delegated zone, and name servers that cannot be reached.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("glueless delegation: the NS name is resolved as a child query", "[engine][glueless]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  // net. exists for the name server's name.
  h.net.on_subdomain(h.root(), "net.", referral("net.", {"ns.net."}, {{"ns.net.", "192.5.6.40"}}));
  h.net.on_subdomain(addr("192.5.6.30"), "glueless.com.",
                     glueless_referral("glueless.com.", {"ns.provider.net."}));
  h.net.on(addr("192.5.6.40"), "ns.provider.net.", RRType::A,
           answer({"ns.provider.net. 3600 IN A 203.0.113.53"}));
  h.net.on(addr("203.0.113.53"), "www.glueless.com.", RRType::A,
           answer({"www.glueless.com. 300 IN A 203.0.113.80"}));

  auto a = h.resolve("www.glueless.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.glueless.com. A 203.0.113.80"});
  CHECK(h.net.sent_text() == std::vector<std::string>{
                                 "193.0.14.129:53 udp . NS",
                                 "193.0.14.129:53 udp www.glueless.com. A",
                                 "192.5.6.30:53 udp www.glueless.com. A",
                                 "193.0.14.129:53 udp ns.provider.net. A",
                                 "192.5.6.40:53 udp ns.provider.net. A",
                                 "203.0.113.53:53 udp www.glueless.com. A",
                             });
}

TEST_CASE("glue outside the delegated zone is ignored and looked up instead",
          "[engine][glueless][poisoning]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "net.", referral("net.", {"ns.net."}, {{"ns.net.", "192.5.6.40"}}));
  // com.'s server claims an address for a name in net.: a classic poisoning attempt.
  h.net.on_subdomain(addr("192.5.6.30"), "victim.com.",
                     referral("victim.com.", {"ns.provider.net."},
                              {{"ns.provider.net.", "6.6.6.6"}}));
  h.net.on(addr("192.5.6.40"), "ns.provider.net.", RRType::A,
           answer({"ns.provider.net. 3600 IN A 203.0.113.53"}));
  h.net.on(addr("203.0.113.53"), "www.victim.com.", RRType::A,
           answer({"www.victim.com. 300 IN A 203.0.113.81"}));

  auto a = h.resolve("www.victim.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.victim.com. A 203.0.113.81"});
  for (const auto& q : h.net.sent()) CHECK(q.server.to_string() != "6.6.6.6:53");
  // The fake glue never reached the cache.
  auto cached = h.caches.rrsets().lookup(wire::Name::from_text("ns.provider.net.").value(),
                                         RRType::A, wire::RRClass::IN, h.clock.now());
  REQUIRE(cached);
  CHECK(records_brief({cached->rrset}) ==
        std::vector<std::string>{"ns.provider.net. A 203.0.113.53"});
}

TEST_CASE("in-zone name server without glue fails cleanly", "[engine][glueless]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(addr("192.5.6.30"), "broken.com.",
                     glueless_referral("broken.com.", {"ns.broken.com."}));
  auto a = h.resolve("www.broken.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  CHECK(a->upstream_queries < 10);
}

TEST_CASE("parent-side address of a glueless NS name is the last resort", "[engine][glueless]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "net.", referral("net.", {"ns.net."}, {{"ns.net.", "192.5.6.40"}}));
  h.net.on_subdomain(addr(kComServer), "pc.com.", glueless_referral("pc.com.", {"ns.pc.net."}));
  // net. gives the parent-side glue 192.0.2.44 for ns.pc.net.; that server says the name's
  // address is 192.0.2.55, which is broken.
  h.net.on_subdomain(addr("192.5.6.40"), "pc.net.",
                     referral("pc.net.", {"ns.pc.net."}, {{"ns.pc.net.", "192.0.2.44"}}));
  h.net.on(addr("192.0.2.44"), "ns.pc.net.", RRType::A, answer({"ns.pc.net. 3600 IN A 192.0.2.55"}));
  h.net.on_any(addr("192.0.2.55"), rcode(wire::Rcode::ServFail));
  h.net.on(addr("192.0.2.44"), "www.pc.com.", RRType::A, answer({"www.pc.com. 60 IN A 203.0.113.77"}));
  auto a = h.resolve("www.pc.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  // 192.0.2.44 already answered (known RTT) so it may even be chosen first; either way it is used.
  CHECK(h.net.sent_text().back() == "192.0.2.44:53 udp www.pc.com. A");
}

TEST_CASE("parent-side address is remembered for later questions", "[engine][glueless]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "net.", referral("net.", {"ns.net."}, {{"ns.net.", "192.5.6.40"}}));
  h.net.on_subdomain(addr(kComServer), "pc.com.", glueless_referral("pc.com.", {"ns.pc.net."}));
  // The child's authoritative address 192.0.2.55 (broken) replaces the glue 192.0.2.44 in the
  // RRset cache; the second question starts from the cached delegation.
  h.net.on_subdomain(addr("192.5.6.40"), "pc.net.",
                     referral("pc.net.", {"ns.pc.net."}, {{"ns.pc.net.", "192.0.2.44"}}));
  h.net.on(addr("192.0.2.44"), "ns.pc.net.", RRType::A, answer({"ns.pc.net. 3600 IN A 192.0.2.55"}));
  h.net.on_any(addr("192.0.2.55"), rcode(wire::Rcode::ServFail));
  h.net.on(addr("192.0.2.44"), "www.pc.com.", RRType::A, answer({"www.pc.com. 60 IN A 203.0.113.77"}));
  h.net.on(addr("192.0.2.44"), "mail.pc.com.", RRType::A,
           answer({"mail.pc.com. 60 IN A 203.0.113.78"}));
  auto first = h.resolve("www.pc.com.", RRType::A);
  REQUIRE(first);
  REQUIRE(first->rcode == wire::Rcode::NoError);
  auto cached = h.caches.rrsets().lookup(wire::Name::from_text("ns.pc.net.").value(), RRType::A,
                                         wire::RRClass::IN, h.clock.now());
  REQUIRE(cached);
  CHECK(records_brief({cached->rrset}) == std::vector<std::string>{"ns.pc.net. A 192.0.2.55"});

  auto second = h.resolve("mail.pc.com.", RRType::A);
  REQUIRE(second);
  CHECK(second->rcode == wire::Rcode::NoError);
  CHECK(records_brief(second->answer) ==
        std::vector<std::string>{"mail.pc.com. A 203.0.113.78"});
  CHECK(h.net.sent_text().back() == "192.0.2.44:53 udp mail.pc.com. A");

  // The parent-side address is only a server address: a client asking for the name gets the
  // child's data.
  auto ns = h.resolve("ns.pc.net.", RRType::A);
  REQUIRE(ns);
  CHECK(records_brief(ns->answer) == std::vector<std::string>{"ns.pc.net. A 192.0.2.55"});
}

TEST_CASE("parent-side address is not used while the child side answers", "[engine][glueless]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "net.", referral("net.", {"ns.net."}, {{"ns.net.", "192.5.6.40"}}));
  h.net.on_subdomain(addr(kComServer), "ok.com.", glueless_referral("ok.com.", {"ns.ok.net."}));
  h.net.on_subdomain(addr("192.5.6.40"), "ok.net.",
                     referral("ok.net.", {"ns.ok.net."}, {{"ns.ok.net.", "192.0.2.44"}}));
  h.net.on(addr("192.0.2.44"), "ns.ok.net.", RRType::A, answer({"ns.ok.net. 3600 IN A 192.0.2.66"}));
  h.net.on(addr("192.0.2.66"), "www.ok.com.", RRType::A, answer({"www.ok.com. 60 IN A 203.0.113.1"}));
  h.net.on(addr("192.0.2.66"), "mail.ok.com.", RRType::A,
           answer({"mail.ok.com. 60 IN A 203.0.113.2"}));
  REQUIRE(h.resolve("www.ok.com.", RRType::A));
  const auto before = h.net.sent_text().size();
  auto a = h.resolve("mail.ok.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"mail.ok.com. A 203.0.113.2"});
  const auto sent = h.net.sent_text();
  CHECK(std::vector<std::string>(sent.begin() + long(before), sent.end()) ==
        std::vector<std::string>{"192.0.2.66:53 udp mail.ok.com. A"});
}
