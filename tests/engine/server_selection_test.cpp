// Choosing servers: lame servers, REFUSED, SERVFAIL, timeouts with the next server, RTT memory.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

std::vector<std::string> sent_to_example(const Harness& h) {
  std::vector<std::string> out;
  for (const auto& q : h.net.sent())
    if (q.server.to_string() == "198.51.100.1:53" || q.server.to_string() == "198.51.100.2:53")
      out.push_back(q.to_string());
  return out;
}

}  // namespace

TEST_CASE("a server that times out is left for the next one", "[engine][selection][timeout]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, timeout());
  h.net.on(addr(kNs2), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(sent_to_example(h) == std::vector<std::string>{
                                  "198.51.100.1:53 udp www.example.com. A",
                                  "198.51.100.2:53 udp www.example.com. A",
                              });
  // The first server was given the initial timeout (400 ms), not more, not less.
  const auto& sent = h.net.sent();
  auto gap = sent[sent.size() - 1].at - sent[sent.size() - 2].at;
  CHECK(gap == engine::kInitialTimeout);

  SECTION("the next question goes to the server that answered first") {
    h.net.on(addr(kNs2), "ftp.example.com.", RRType::A,
             answer({"ftp.example.com. 3600 IN A 203.0.113.8"}));
    h.net.on(addr(kNs1), "ftp.example.com.", RRType::A,
             answer({"ftp.example.com. 3600 IN A 203.0.113.8"}));
    h.net.clear_sent();
    auto b = h.resolve("ftp.example.com.", RRType::A);
    REQUIRE(b);
    CHECK(h.net.sent_text() == std::vector<std::string>{"198.51.100.2:53 udp ftp.example.com. A"});
  }
}

TEST_CASE("a lame server (no AA, no referral) is skipped", "[engine][selection][lame]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  // ns1 answers like a lame server: not authoritative, an upward referral to com.
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           referral("com.", {"ns.com."}, {{"ns.com.", kComServer}}));
  h.net.on(addr(kNs2), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK(sent_to_example(h).size() == 2);
  // Marked lame for the zone: not asked again.
  CHECK(h.caches.servers().is_lame(cache::ServerKey::ipv4({198, 51, 100, 1}),
                                   wire::Name::from_text("example.com.").value(), h.clock.mono()));
  h.net.on(addr(kNs2), "ftp.example.com.", RRType::A,
           answer({"ftp.example.com. 3600 IN A 203.0.113.8"}));
  h.net.clear_sent();
  REQUIRE(h.resolve("ftp.example.com.", RRType::A));
  CHECK(h.net.sent_text() == std::vector<std::string>{"198.51.100.2:53 udp ftp.example.com. A"});
}

TEST_CASE("REFUSED and SERVFAIL move on to the next server", "[engine][selection]") {
  auto code = GENERATE(wire::Rcode::Refused, wire::Rcode::ServFail);
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, rcode(code));
  h.net.on(addr(kNs2), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(sent_to_example(h) == std::vector<std::string>{
                                  "198.51.100.1:53 udp www.example.com. A",
                                  "198.51.100.2:53 udp www.example.com. A",
                              });
}

TEST_CASE("when every server fails the client gets SERVFAIL", "[engine][selection]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  h.net.on(addr(kNs2), "www.example.com.", RRType::A, rcode(wire::Rcode::Refused));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::AllServersFailed);
  CHECK(sent_to_example(h).size() == 2);
}

TEST_CASE("serve-stale: expired data is served when every upstream fails", "[engine][stale]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  auto& ok = h.net.on(addr(kNs1), "www.example.com.", RRType::A,
                      answer({"www.example.com. 60 IN A 203.0.113.7"}));
  ok.max_uses = 1;
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  h.net.on(addr(kNs2), "www.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  REQUIRE(h.resolve("www.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  h.clock.advance(std::chrono::seconds(120));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(a->stale);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
}
