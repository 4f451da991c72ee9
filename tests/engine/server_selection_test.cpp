// Choosing servers: lame servers, REFUSED, SERVFAIL, timeouts with the next server, RTT memory.
#include <catch2/catch.hpp>

#include "example_tree.h"
#include "resolver/engine/server_selection.h"

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
  // The first server was given the initial timeout (376 ms, Unbound's), not more, not less.
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

TEST_CASE("a lame server is marked lame for the zone only after repeated evidence",
          "[engine][selection][lame]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  // ns1 answers like a lame server: not authoritative, an upward referral to com.
  h.net.on_subdomain(addr(kNs1), "example.com.",
                     referral("com.", {"ns.com."}, {{"ns.com.", kComServer}}));
  for (auto n : {"www", "ftp", "mail"})
    h.net.on(addr(kNs2), std::string(n) + ".example.com.", RRType::A,
             answer({std::string(n) + ".example.com. 3600 IN A 203.0.113.7"}));
  const auto ns1 = cache::ServerKey::ipv4({198, 51, 100, 1});
  const auto zone = wire::Name::from_text("example.com.").value();
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  CHECK(sent_to_example(h).size() == 2);
  // One lame reply is no verdict: ns1 is asked again for the next name.
  CHECK_FALSE(h.caches.servers().is_lame(ns1, zone, h.clock.mono()));
  h.net.clear_sent();
  REQUIRE(h.resolve("ftp.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  CHECK(sent_to_example(h).front() == "198.51.100.1:53 udp ftp.example.com. A");
  // The second piece of evidence marks it, for kLameTtlBase only.
  CHECK(h.caches.servers().is_lame(ns1, zone, h.clock.mono()));
  CHECK(h.engine->stats().lame_marks == 1);
  h.net.clear_sent();
  REQUIRE(h.resolve("mail.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  CHECK(h.net.sent_text() == std::vector<std::string>{"198.51.100.2:53 udp mail.example.com. A"});
  h.clock.advance(cache::kLameTtlBase);
  CHECK_FALSE(h.caches.servers().is_lame(ns1, zone, h.clock.mono()));
}

TEST_CASE("one spoofed REFUSED cannot knock a zone out", "[engine][selection][lame]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  auto& refused = h.net.on(addr(kNs1), "www.example.com.", RRType::A, rcode(wire::Rcode::Refused));
  refused.max_uses = 1;
  h.net.on_subdomain(addr(kNs1), "example.com.", answer({"www.example.com. 3600 IN A 203.0.113.7"}).with_aa());
  h.net.on_subdomain(addr(kNs2), "example.com.", rcode(wire::Rcode::Refused));
  // www: ns1 REFUSED (one strike), ns2 REFUSED (one strike): SERVFAIL for this question only.
  REQUIRE(h.resolve("www.example.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  const auto zone = wire::Name::from_text("example.com.").value();
  CHECK_FALSE(h.caches.servers().is_lame(cache::ServerKey::ipv4({198, 51, 100, 1}), zone, h.clock.mono()));
  // The next name still resolves through ns1.
  h.net.on(addr(kNs1), "ftp.example.com.", RRType::A, answer({"ftp.example.com. 3600 IN A 203.0.113.8"}).with_aa());
  auto b = h.resolve("ftp.example.com.", RRType::A);
  REQUIRE(b);
  CHECK(b->rcode == wire::Rcode::NoError);
}

TEST_CASE("lameness never leaves a zone with no server to try", "[engine][selection][lame]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  const auto zone = wire::Name::from_text("example.com.").value();
  for (uint8_t last : {1, 2})
    for (int i = 0; i < 2; ++i)
      h.caches.servers().record_lame(cache::ServerKey::ipv4({198, 51, 100, last}), zone, h.clock.mono());
  REQUIRE(h.caches.servers().is_lame(cache::ServerKey::ipv4({198, 51, 100, 2}), zone, h.clock.mono()));
  h.net.on(addr(kNs1), "www.example.com.", RRType::A, answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(sent_to_example(h) == std::vector<std::string>{"198.51.100.1:53 udp www.example.com. A"});
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

TEST_CASE("the timeout policy: initial, floor with a good history, doubling, ceiling",
          "[engine][selection][timeout]") {
  using std::chrono::milliseconds;
  engine::EngineConfig cfg;
  cache::ServerInfo unknown;
  CHECK(engine::server_timeout(unknown, cfg) == milliseconds(376));
  cache::ServerInfo fast;
  fast.has_rtt = true;
  fast.samples = 1;
  fast.srtt = milliseconds(5);
  fast.rttvar = milliseconds(2);
  // One sample is no history: the floor is the initial timeout.
  CHECK(engine::server_timeout(fast, cfg) == milliseconds(376));
  fast.samples = engine::kGoodRttSamples;
  CHECK(engine::server_timeout(fast, cfg) == engine::kMinTimeout);
  // After a timeout the short floor is gone.
  fast.consecutive_timeouts = 1;
  CHECK(engine::server_timeout(fast, cfg) == milliseconds(376));
  unknown.consecutive_timeouts = 2;
  CHECK(engine::server_timeout(unknown, cfg) == milliseconds(4 * 376));
  unknown.consecutive_timeouts = 10;
  CHECK(engine::server_timeout(unknown, cfg) == engine::kMaxTimeout);
  cache::ServerInfo slow;
  slow.has_rtt = true;
  slow.samples = 10;
  slow.srtt = milliseconds(300);
  slow.rttvar = milliseconds(50);
  CHECK(engine::server_timeout(slow, cfg) == milliseconds(500));
}

TEST_CASE("a fast server that stalls 150 ms under load is waited for, not given up on",
          "[engine][selection][timeout]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  // A good history with both servers: a few answers in 10 ms each.
  for (int i = 0; i < 4; ++i)
    for (uint8_t last : {1, 2})
      h.caches.servers().record_rtt(cache::ServerKey::ipv4({198, 51, 100, last}),
                                    std::chrono::milliseconds(10), h.clock.mono());
  // Now both stall 150 ms: more than the 50 ms floor, well inside the deadline.
  h.net.on(addr(kNs1), "slow.example.com.", RRType::A,
           answer({"slow.example.com. 3600 IN A 203.0.113.5"}).with_delay(std::chrono::milliseconds(150)));
  h.net.on(addr(kNs2), "slow.example.com.", RRType::A,
           answer({"slow.example.com. 3600 IN A 203.0.113.5"}).with_delay(std::chrono::milliseconds(150)));
  auto a = h.resolve("slow.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"slow.example.com. A 203.0.113.5"});
}

TEST_CASE("servers that only time out get another round until the deadline",
          "[engine][selection][timeout]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  // Each server times out twice (its two attempts of the first round), then answers.
  for (const char* ns : {kNs1, kNs2}) {
    auto& t = h.net.on(addr(ns), "www.example.com.", RRType::A, timeout());
    t.max_uses = 2;
    h.net.on(addr(ns), "www.example.com.", RRType::A, answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  }
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(sent_to_example(h).size() == 5);
}

TEST_CASE("an NTP step neither fails nor stretches a resolution", "[engine][clock]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs2), "www.example.com.", RRType::A, answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  SECTION("forwards: the deadline is not reached by a wall-clock jump") {
    std::optional<engine::Answer> a;
    h.resolve_async("www.example.com.", RRType::A, &a);
    h.clock.step_wall(std::chrono::hours(2));
    h.clock.run_until([&] { return a.has_value(); });
    REQUIRE(a);
    CHECK(a->rcode == wire::Rcode::NoError);
  }
  SECTION("backwards: the deadline still comes after resolve-deadline of real time") {
    std::optional<engine::Answer> a;
    auto start = h.clock.mono();
    h.resolve_async("dead.example.com.", RRType::A, &a);
    h.clock.step_wall(-std::chrono::hours(2));
    h.clock.run_until([&] { return a.has_value(); });
    REQUIRE(a);
    CHECK(a->rcode == wire::Rcode::ServFail);
    CHECK(h.clock.mono() - start <= engine::kResolveDeadline);
  }
}
