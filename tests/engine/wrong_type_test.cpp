// A server that answers a question with records of another type at the name (an A to an AAAA
// question, NOERROR, AA=0): the name exists, the type does not. NODATA for the client, as Unbound
// and Knot Resolver give; the stray records are not cached as anything.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("records of another type at the name are NODATA, not a lame server",
          "[engine][classify]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  // Both servers of the zone answer the same way, so a lame verdict would leave none to ask.
  for (const char* ns : {kNs1, kNs2})
    h.net.on(addr(ns), "www.example.com.", RRType::AAAA,
             answer({"www.example.com. 3600 IN A 203.0.113.7"}).with_aa(false));
  auto a = h.resolve("www.example.com.", RRType::AAAA);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK_FALSE(a->failure);
  CHECK(a->answer.empty());
  // One query to the zone: the first server's answer settled it.
  CHECK(h.net.sent_text().back() == "198.51.100.1:53 udp www.example.com. AAAA");
  CHECK(h.net.sent().size() == 4);  // priming, root, com., example.com.

  SECTION("the server is not marked lame: the next question goes to it again") {
    h.net.on(addr(kNs1), "mail.example.com.", RRType::A,
             answer({"mail.example.com. 3600 IN A 203.0.113.8"}));
    h.net.clear_sent();
    auto b = h.resolve("mail.example.com.", RRType::A);
    REQUIRE(b);
    CHECK(b->rcode == wire::Rcode::NoError);
    CHECK(h.net.sent_text() == std::vector<std::string>{"198.51.100.1:53 udp mail.example.com. A"});
  }
  SECTION("the stray A is not cached as an answer, and the NODATA without SOA is not cached") {
    h.net.on(addr(kNs1), "www.example.com.", RRType::A,
             answer({"www.example.com. 3600 IN A 203.0.113.9"}));
    h.net.clear_sent();
    auto b = h.resolve("www.example.com.", RRType::A);
    REQUIRE(b);
    CHECK_FALSE(b->from_cache);
    CHECK(records_brief(b->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.9"});
    auto c = h.resolve("www.example.com.", RRType::AAAA);
    REQUIRE(c);
    CHECK_FALSE(c->from_cache);
    CHECK(h.net.sent().size() == 2);
  }
}

TEST_CASE("an empty non-authoritative answer is still lame", "[engine][classify]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::AAAA, rcode(wire::Rcode::NoError));
  h.net.on(addr(kNs2), "www.example.com.", RRType::AAAA,
           answer({"www.example.com. 3600 IN AAAA 2001:db8::7"}));
  auto a = h.resolve("www.example.com.", RRType::AAAA);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. AAAA 2001:db8::7"});
}
