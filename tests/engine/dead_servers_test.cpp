// Dead servers and failing names (RFC 9520, issue #13 §2): servers that never answer are
// remembered and backed off with occasional probes, a zone whose every server is down fails at
// once, failed questions are cached, and outstanding queries per zone are capped.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

size_t sent_to_example(const Harness& h) {
  size_t n = 0;
  for (const auto& q : h.net.sent())
    if (q.server.to_string() == "198.51.100.1:53" || q.server.to_string() == "198.51.100.2:53") ++n;
  return n;
}

// Warms the delegation (one answered question), then both example.com. servers fall silent.
void kill_example_servers(Harness& h) {
  build_example_tree(h);
  auto& ok = h.net.on(addr(kNs1), "warm.example.com.", RRType::A,
                      answer({"warm.example.com. 3600 IN A 203.0.113.1"}));
  ok.max_uses = 1;
  REQUIRE(h.resolve("warm.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  h.net.clear_sent();  // from now on nothing sent to them matches: every query times out
}

}  // namespace

TEST_CASE("a zone whose servers are all down fails at once, without a query", "[engine][infra]") {
  Harness h(no_minimisation());
  kill_example_servers(h);
  // The first question pays: both servers time out until each has kTimeoutsBeforeDown counted
  // timeouts (the deadline stops the last try).
  auto first = h.resolve("a.example.com.", RRType::A);
  REQUIRE(first);
  CHECK(first->rcode == wire::Rcode::ServFail);
  auto counted = [&](uint8_t last) {
    return h.caches.servers().info(cache::ServerKey::ipv4({198, 51, 100, last}), h.clock.mono())
        .consecutive_timeouts;
  };
  CHECK(counted(1) >= engine::kTimeoutsBeforeDown);
  CHECK(counted(2) >= engine::kTimeoutsBeforeDown);

  // Every later question for the zone: SERVFAIL at once, nothing sent, no time spent.
  h.net.clear_sent();
  auto start = h.clock.mono();
  auto downs_before = h.engine->stats().servers_down_failures;
  for (int i = 0; i < 20; ++i) {
    // Appended, not "n" + to_string(...): GCC 12 -O3 warns falsely there (-Wrestrict, PR 105329).
    std::string qname = "n";
    qname += std::to_string(i) + ".example.com.";
    auto a = h.resolve(qname, RRType::A);
    REQUIRE(a);
    CHECK(a->rcode == wire::Rcode::ServFail);
    REQUIRE(a->failure);
    CHECK(*a->failure == engine::Failure::ServersDown);
    CHECK(a->upstream_queries == 0);
  }
  CHECK(h.clock.mono() == start);
  CHECK(sent_to_example(h) == 0);
  CHECK(h.engine->stats().servers_down_failures - downs_before == 20);

  SECTION("after the backoff one question probes; a failed probe backs off longer") {
    h.clock.advance(engine::kInfraBackoffBase + std::chrono::seconds(10));
    auto probe = h.resolve("p1.example.com.", RRType::A);
    REQUIRE(probe);
    CHECK(probe->rcode == wire::Rcode::ServFail);
    CHECK(h.engine->stats().server_probes >= 1);
    size_t probes = sent_to_example(h);
    CHECK(probes >= 1);
    CHECK(probes <= 2);  // one per server, not a retry storm
    h.net.clear_sent();
    // Right after the failed probe: down again (longer), nothing sent.
    REQUIRE(h.resolve("p2.example.com.", RRType::A)->failure == engine::Failure::ServersDown);
    CHECK(sent_to_example(h) == 0);
  }

  SECTION("a server that answers its probe is back at once") {
    h.net.on_subdomain(addr(kNs1), "example.com.", answer({"back.example.com. 3600 IN A 203.0.113.9"}));
    h.net.on_subdomain(addr(kNs2), "example.com.", answer({"back.example.com. 3600 IN A 203.0.113.9"}));
    h.clock.advance(engine::kInfraBackoffMax + std::chrono::seconds(1));
    auto a = h.resolve("back.example.com.", RRType::A);
    REQUIRE(a);
    CHECK(a->rcode == wire::Rcode::NoError);
    CHECK(h.caches.servers().info(cache::ServerKey::ipv4({198, 51, 100, 1}), h.clock.mono())
              .consecutive_timeouts +
              h.caches.servers().info(cache::ServerKey::ipv4({198, 51, 100, 2}), h.clock.mono())
                  .consecutive_timeouts <
          2 * engine::kTimeoutsBeforeDown);
  }
}

TEST_CASE("serve-stale comes before the fast SERVFAIL of a dead zone", "[engine][infra][stale]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  auto& ok = h.net.on(addr(kNs1), "www.example.com.", RRType::A,
                      answer({"www.example.com. 2 IN A 203.0.113.7"}));
  ok.max_uses = 1;
  REQUIRE(h.resolve("www.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  // Nothing else matches: the servers time out from now on.
  REQUIRE(h.resolve("dead.example.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  h.clock.advance(std::chrono::seconds(1));  // www expired (the last try took the rest);
                                             // servers still down
  h.net.clear_sent();
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(a->stale);
  CHECK(sent_to_example(h) == 0);
}

TEST_CASE("a question that just failed is answered from the failure cache", "[engine][failure-cache]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "bad.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  h.net.on(addr(kNs2), "bad.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  REQUIRE(h.resolve("bad.example.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  CHECK(sent_to_example(h) == 2);

  h.net.clear_sent();
  auto again = h.resolve("bad.example.com.", RRType::A);
  REQUIRE(again);
  CHECK(again->rcode == wire::Rcode::ServFail);
  REQUIRE(again->failure);
  CHECK(*again->failure == engine::Failure::RecentFailure);
  CHECK(again->from_cache);
  CHECK(h.net.sent().empty());
  CHECK(h.engine->stats().failure_cache_answers == 1);
  // Another type of the name is another question.
  h.net.on(addr(kNs1), "bad.example.com.", RRType::AAAA, nodata("example.com.").with_aa());
  CHECK(h.resolve("bad.example.com.", RRType::AAAA)->rcode == wire::Rcode::NoError);

  // After kFailureCacheMinTtl it is resolved again; failing again, it stands twice as long.
  h.clock.advance(engine::kFailureCacheMinTtl);
  h.net.clear_sent();
  REQUIRE(h.resolve("bad.example.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  CHECK(sent_to_example(h) == 2);
  h.clock.advance(engine::kFailureCacheMinTtl * 2 - std::chrono::seconds(1));
  h.net.clear_sent();
  CHECK(h.resolve("bad.example.com.", RRType::A)->failure == engine::Failure::RecentFailure);
  CHECK(h.net.sent().empty());
  h.clock.advance(std::chrono::seconds(1));
  REQUIRE(h.resolve("bad.example.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  CHECK(sent_to_example(h) == 2);
}

TEST_CASE("failure-cache-min-ttl 0 turns the failure cache off", "[engine][failure-cache]") {
  auto cfg = no_minimisation();
  cfg.failure_cache_min_ttl = std::chrono::seconds(0);
  Harness h(cfg);
  build_example_tree(h);
  h.net.on(addr(kNs1), "bad.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  h.net.on(addr(kNs2), "bad.example.com.", RRType::A, rcode(wire::Rcode::ServFail));
  REQUIRE(h.resolve("bad.example.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  h.net.clear_sent();
  REQUIRE(h.resolve("bad.example.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  CHECK(sent_to_example(h) == 2);
}

TEST_CASE("fetches-per-zone: past the quota new work for the zone fails at once", "[engine][fetches]") {
  auto cfg = no_minimisation();
  cfg.fetches_per_zone = 2;
  Harness h(cfg);
  kill_example_servers(h);
  std::optional<engine::Answer> a, b, c;
  h.resolve_async("a.example.com.", RRType::A, &a);
  h.resolve_async("b.example.com.", RRType::A, &b);
  CHECK(sent_to_example(h) == 2);
  h.resolve_async("c.example.com.", RRType::A, &c);
  REQUIRE(c);  // synchronously
  REQUIRE(c->failure);
  CHECK(*c->failure == engine::Failure::FetchLimit);
  CHECK(sent_to_example(h) == 2);
  CHECK(h.engine->stats().fetch_limited == 1);
  // Quota failures are about this resolver's load, not the name: not in the failure cache.
  h.clock.run_until([&] { return a && b; });
  CHECK(!h.caches.failures().failing(wire::Name::from_text("c.example.com.").value(), RRType::A,
                                     wire::RRClass::IN, h.clock.mono()));
}

TEST_CASE("the per-server quota shrinks with the server's timeouts", "[engine][fetches]") {
  using engine::FetchCounts;
  CHECK(FetchCounts::server_quota(400, 0) == 400);
  CHECK(FetchCounts::server_quota(400, 1) == 100);
  CHECK(FetchCounts::server_quota(400, 2) == 25);
  CHECK(FetchCounts::server_quota(400, 9) == 1);
  CHECK(FetchCounts::server_quota(0, 5) == 0);  // no limit

  engine::FetchCounts f;
  auto zone = wire::Name::from_text("example.com.").value();
  auto a = addr(kNs1);
  f.add(zone, a);
  f.add(wire::Name::from_text("EXAMPLE.com.").value(), a);
  CHECK(f.zone_full(zone, 2));
  CHECK(f.server_full(a, 2));
  CHECK_FALSE(f.server_full(a, 0));
  f.release(zone, a);
  CHECK_FALSE(f.zone_full(zone, 2));
  f.release(zone, a);
  CHECK(f.zone_count(zone) == 0);
  CHECK(f.server_count(a) == 0);
}
