// QNAME minimisation (RFC 9156): what is exposed to each zone, and the relaxed fallback.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("minimised queries reveal one label more than the zone asked", "[engine][qmin]") {
  Harness h;  // minimisation on by default
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK(h.net.sent_text() == std::vector<std::string>{
                                 "193.0.14.129:53 udp . NS",
                                 "193.0.14.129:53 udp com. NS",
                                 "192.5.6.30:53 udp example.com. NS",
                                 "198.51.100.1:53 udp www.example.com. A",
                             });
}

TEST_CASE("minimisation walks through names that are not zone cuts", "[engine][qmin]") {
  Harness h;
  build_example_tree(h);
  h.net.on(addr(kNs1), "b.example.com.", RRType::NS, nodata("example.com."));
  h.net.on(addr(kNs1), "a.b.example.com.", RRType::A,
           answer({"a.b.example.com. 3600 IN A 203.0.113.9"}));
  auto a = h.resolve("a.b.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  auto sent = h.net.sent_text();
  CHECK(std::vector<std::string>(sent.end() - 2, sent.end()) ==
        std::vector<std::string>{"198.51.100.1:53 udp b.example.com. NS",
                                 "198.51.100.1:53 udp a.b.example.com. A"});
}

TEST_CASE("relaxed fallback: NXDOMAIN to a minimised query, then the full name",
          "[engine][qmin]") {
  auto code = GENERATE(wire::Rcode::NXDomain, wire::Rcode::ServFail, wire::Rcode::Refused);
  Harness h;
  build_example_tree(h);
  // A broken server: empty non-terminal answered with an error.
  h.net.on(addr(kNs1), "b.example.com.", RRType::NS, rcode(code, true));
  h.net.on(addr(kNs1), "a.b.example.com.", RRType::A,
           answer({"a.b.example.com. 3600 IN A 203.0.113.9"}));
  auto a = h.resolve("a.b.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"a.b.example.com. A 203.0.113.9"});
  auto sent = h.net.sent_text();
  CHECK(std::vector<std::string>(sent.end() - 2, sent.end()) ==
        std::vector<std::string>{"198.51.100.1:53 udp b.example.com. NS",
                                 "198.51.100.1:53 udp a.b.example.com. A"});
}

TEST_CASE("minimisation can be switched off", "[engine][qmin]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  REQUIRE(h.resolve("www.example.com.", RRType::A));
  for (const auto& q : h.net.sent())
    if (!q.qname.is_root()) CHECK(q.qname.to_text() == "www.example.com.");
}

TEST_CASE("relaxed fallback: a lame-looking answer to a minimised query", "[engine][qmin]") {
  Harness h;
  build_example_tree(h);
  SimReply empty;  // NOERROR, not authoritative, nothing in it
  h.net.on(addr(kNs1), "b.example.com.", RRType::NS, empty);
  h.net.on(addr(kNs1), "a.b.example.com.", RRType::A,
           answer({"a.b.example.com. 3600 IN A 203.0.113.9"}));
  auto a = h.resolve("a.b.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  auto sent = h.net.sent_text();
  CHECK(sent.back() == "198.51.100.1:53 udp a.b.example.com. A");
}

TEST_CASE("relaxed fallback: a minimised query that is never answered", "[engine][qmin][timeout]") {
  Harness h;
  build_example_tree(h);
  h.net.on(addr(kNs1), "b.example.com.", RRType::NS, timeout());
  h.net.on(addr(kNs2), "b.example.com.", RRType::NS, timeout());
  h.net.on(addr(kNs2), "a.b.example.com.", RRType::A,
           answer({"a.b.example.com. 3600 IN A 203.0.113.9"}));
  auto a = h.resolve("a.b.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  auto sent = h.net.sent_text();
  CHECK(std::vector<std::string>(sent.end() - 2, sent.end()) ==
        std::vector<std::string>{"198.51.100.1:53 udp b.example.com. NS",
                                 "198.51.100.2:53 udp a.b.example.com. A"});
}

TEST_CASE("answered minimised queries do not use up a server's attempts", "[engine][qmin]") {
  Harness h;
  h.serve_priming();
  h.net.on_subdomain(h.root(), "com.", referral("com.", {"ns.com."}, {{"ns.com.", kComServer}}));
  // One server for example.com.; c.b.a.example.com. has empty non-terminals above it, and the
  // server drops the last minimised query.
  h.net.on_subdomain(addr(kComServer), "example.com.",
                     referral("example.com.", {"ns1.example.com."}, {{"ns1.example.com.", kNs1}}));
  h.net.on(addr(kNs1), "a.example.com.", RRType::NS, nodata("example.com."));
  h.net.on(addr(kNs1), "b.a.example.com.", RRType::NS, nodata("example.com."));
  h.net.on(addr(kNs1), "c.b.a.example.com.", RRType::NS, timeout());
  h.net.on(addr(kNs1), "d.c.b.a.example.com.", RRType::A,
           answer({"d.c.b.a.example.com. 60 IN A 203.0.113.4"}));
  auto a = h.resolve("d.c.b.a.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(h.net.sent_text().back() == "198.51.100.1:53 udp d.c.b.a.example.com. A");
}
