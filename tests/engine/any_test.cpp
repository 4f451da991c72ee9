// ANY is resolved like any other type: the authoritative server's answer decides (the front end
// shortens a positive one, resolver/server/any_answer.h).
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("ANY for a name that does not exist is NXDOMAIN with the SOA", "[engine][any]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "nope.example.com.", RRType::ANY, nxdomain("example.com."));
  auto a = h.resolve("nope.example.com.", RRType::ANY);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NXDomain);
  REQUIRE(a->authority.size() == 1);
  CHECK(a->authority[0].type == RRType::SOA);
  CHECK(h.net.sent_text().back() == "198.51.100.1:53 udp nope.example.com. ANY");
}

TEST_CASE("ANY at a CNAME owner is the CNAME, not followed", "[engine][any]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "alias.example.com.", RRType::ANY,
           cname("alias.example.com.", "www.example.com."));
  auto a = h.resolve("alias.example.com.", RRType::ANY);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) ==
        std::vector<std::string>{"alias.example.com. CNAME www.example.com."});
  CHECK(h.net.sent().size() == 4);  // priming, root, com., example.com.: no query for the target
}

TEST_CASE("ANY with data gives the records the server sent", "[engine][any]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::ANY,
           answer({"www.example.com. 300 IN A 203.0.113.7", "www.example.com. 300 IN TXT \"x\""}));
  auto a = h.resolve("www.example.com.", RRType::ANY);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(a->answer.size() == 2);
}

TEST_CASE("ANY at a cached CNAME owner is the CNAME from the cache, not followed",
          "[engine][any]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "alias.example.com.", RRType::A,
           cname("alias.example.com.", "www.example.com.",
                 {"www.example.com. 300 IN A 203.0.113.7"}));
  auto a = h.resolve("alias.example.com.", RRType::A);
  REQUIRE(a);
  REQUIRE(a->answer.size() == 2);
  h.net.clear_sent();
  auto b = h.resolve("alias.example.com.", RRType::ANY);
  REQUIRE(b);
  CHECK(b->rcode == wire::Rcode::NoError);
  CHECK(records_brief(b->answer) ==
        std::vector<std::string>{"alias.example.com. CNAME www.example.com."});
  CHECK(b->from_cache);
  CHECK(h.net.sent().empty());
}
