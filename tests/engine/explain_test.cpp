// Why a resolution failed (issue #16, "Why did this fail?"): the failure reason, zone and server
// the engine hands the front end (Answer::why), kept by the failure cache; the trace sink of
// Engine::trace; and the cache report behind `ternd control lookup`.
#include <catch2/catch.hpp>

#include "example_tree.h"
#include "resolver/engine/cache_report.h"
#include "resolver/engine/trace.h"

using namespace tern;
using namespace tern::testsupport;
using engine::Failure;
using wire::RRType;

namespace {

struct RecordingSink : engine::TraceSink {
  std::vector<engine::TraceStep> steps;
  void step(const engine::TraceStep& s) override { steps.push_back(s); }
  size_t count(engine::TraceStep::Kind k) const {
    size_t n = 0;
    for (const auto& s : steps) n += s.kind == k;
    return n;
  }
  std::string text() const {
    std::string out;
    for (const auto& s : steps) out += engine::to_text(s) + "\n";
    return out;
  }
};

bool contains(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("every server REFUSED: AllServersLame with the zone and the last server", "[engine][explain]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(addr(kNs1), "example.com.", rcode(wire::Rcode::Refused));
  h.net.on_subdomain(addr(kNs2), "example.com.", rcode(wire::Rcode::Refused));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == Failure::AllServersLame);
  REQUIRE(a->why);
  CHECK(a->why->reason == Failure::AllServersLame);
  CHECK(a->why->zone.to_text() == "example.com.");
  REQUIRE(a->why->server);
  bool one_of_them = a->why->server->host_to_string() == kNs1 || a->why->server->host_to_string() == kNs2;
  CHECK(one_of_them);

  SECTION("the failure cache keeps the reason, zone and server for the next answer") {
    auto again = h.resolve("www.example.com.", RRType::A);
    REQUIRE(again);
    CHECK(again->from_cache);
    REQUIRE(again->failure);
    CHECK(*again->failure == Failure::RecentFailure);
    REQUIRE(again->why);
    CHECK(again->why->reason == Failure::AllServersLame);
    CHECK(again->why->zone.to_text() == "example.com.");
    CHECK(again->why->server == a->why->server);
  }
}

TEST_CASE("one server lame, one silent: not called lame, no reachable authority", "[engine][explain]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(addr(kNs1), "example.com.", rcode(wire::Rcode::Refused));
  h.net.on_subdomain(addr(kNs2), "example.com.", timeout());
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  REQUIRE(a->failure);
  CHECK(*a->failure != Failure::AllServersLame);
  REQUIRE(a->why);
  CHECK(a->why->zone.to_text() == "example.com.");
}

TEST_CASE("network errors from every server: NetworkError", "[engine][explain]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  SimReply unreachable;
  unreachable.error = engine::TransportError::Unreachable;
  h.net.on_subdomain(addr(kNs1), "example.com.", unreachable);
  h.net.on_subdomain(addr(kNs2), "example.com.", unreachable);
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  REQUIRE(a->failure);
  CHECK(*a->failure == Failure::NetworkError);
  CHECK(a->why->zone.to_text() == "example.com.");
}

TEST_CASE("the all-servers-down fast failure names its zone", "[engine][explain]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(addr(kNs1), "example.com.", timeout());
  h.net.on_subdomain(addr(kNs2), "example.com.", timeout());
  auto first = h.resolve("a.example.com.", RRType::A);
  REQUIRE(first);
  REQUIRE(first->why);
  CHECK(first->why->zone.to_text() == "example.com.");
  // Once both are known down, a question fails without a query.
  std::optional<engine::Answer> fast;
  for (int i = 0; i < 5; ++i) {
    std::string qname = "b";
    qname += std::to_string(i) + ".example.com.";
    fast = h.resolve(qname, RRType::A);
    REQUIRE(fast);
    if (fast->upstream_queries == 0) break;
  }
  CHECK(fast->upstream_queries == 0);
  REQUIRE(fast->failure);
  CHECK(*fast->failure == Failure::ServersDown);
  REQUIRE(fast->why);
  CHECK(fast->why->reason == Failure::ServersDown);
  CHECK(fast->why->zone.to_text() == "example.com.");
  CHECK_FALSE(fast->why->server);  // nothing was sent
}

TEST_CASE("a stale answer says which failure made it stale", "[engine][explain]") {
  auto cfg = no_minimisation();
  cfg.serve_stale = true;
  cache::CacheLimits limits;
  limits.serve_stale = true;
  Harness h(cfg, limits);
  build_example_tree(h);
  auto& ok = h.net.on(addr(kNs1), "www.example.com.", RRType::A,
                      answer({"www.example.com. 60 IN A 203.0.113.7"}));
  ok.max_uses = 1;
  REQUIRE(h.resolve("www.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  h.clock.advance(std::chrono::seconds(120));
  h.net.on_subdomain(addr(kNs1), "example.com.", rcode(wire::Rcode::Refused));
  h.net.on_subdomain(addr(kNs2), "example.com.", rcode(wire::Rcode::Refused));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->stale);
  CHECK_FALSE(a->failure);
  REQUIRE(a->why);
  CHECK(a->why->reason == Failure::AllServersLame);
}

TEST_CASE("Engine::trace reports every step and is neither merged nor cached", "[engine][explain][trace]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}).with_aa());
  RecordingSink sink;
  std::optional<engine::Answer> traced, plain;
  engine::Query q;
  q.qname = *wire::Name::from_text("www.example.com.");
  h.engine->trace(q, sink, [&](const engine::Answer& a) { traced = a; });
  // The same question meanwhile is not merged with the trace: it has a resolution of its own.
  h.engine->resolve(q, [&](const engine::Answer& a) { plain = a; });
  CHECK(h.engine->in_flight() == 2);
  h.clock.run_until_idle();
  REQUIRE(traced);
  REQUIRE(plain);
  CHECK(traced->rcode == wire::Rcode::NoError);
  const std::string text = sink.text();
  INFO(text);
  using K = engine::TraceStep::Kind;
  // Root, com. and example.com. asked, in that order, each with its server and RTT.
  std::vector<std::string> asked;
  for (const auto& s : sink.steps)
    if (s.kind == K::Query) asked.push_back(s.zone.to_text() + "@" + s.server->host_to_string());
  REQUIRE(asked.size() >= 3);
  CHECK(asked[asked.size() - 3] == std::string(".@") + std::string(kRootServerAddress));
  CHECK(asked[asked.size() - 2] == std::string("com.@") + kComServer);
  CHECK(asked.back() == std::string("example.com.@") + kNs1);
  CHECK(sink.count(K::Referral) == 2);
  CHECK(sink.count(K::Reply) >= 3);
  for (const auto& s : sink.steps)
    if (s.kind == K::Reply) CHECK(s.rtt.count() > 0);
  CHECK(contains(text, "referral www.example.com. A zone=example.com.: to example.com.: ns1.example.com. 198.51.100.1"));
  CHECK(sink.steps.back().kind == K::Done);
  CHECK(contains(engine::to_text(sink.steps.back()), "NOERROR"));

  SECTION("an untraced resolution reports nothing to a sink it never had") {
    size_t before = sink.steps.size();
    REQUIRE(h.resolve("www.example.com.", RRType::AAAA));
    CHECK(sink.steps.size() == before);
  }
}

TEST_CASE("a traced failure ends with its reason, zone and server, and is not in the failure cache",
          "[engine][explain][trace]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(addr(kNs1), "example.com.", rcode(wire::Rcode::Refused));
  h.net.on_subdomain(addr(kNs2), "example.com.", rcode(wire::Rcode::Refused));
  RecordingSink sink;
  std::optional<engine::Answer> traced;
  engine::Query q;
  q.qname = *wire::Name::from_text("www.example.com.");
  h.engine->trace(q, sink, [&](const engine::Answer& a) { traced = a; });
  h.clock.run_until_idle();
  REQUIRE(traced);
  CHECK(traced->rcode == wire::Rcode::ServFail);
  const std::string text = sink.text();
  INFO(text);
  CHECK(sink.count(engine::TraceStep::Kind::Lame) == 2);
  CHECK(contains(text, "failure=all-servers-lame zone=example.com."));
  CHECK_FALSE(h.caches.failures().failing(q.qname, RRType::A, wire::RRClass::IN, h.clock.mono()));
}

TEST_CASE("cache_report shows the cached data, the delegation and its servers' state", "[engine][explain][lookup]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}).with_aa());
  h.net.on(addr(kNs1), "nx.example.com.", RRType::A, nxdomain("example.com.").with_aa());
  REQUIRE(h.resolve("www.example.com.", RRType::A)->rcode == wire::Rcode::NoError);
  REQUIRE(h.resolve("nx.example.com.", RRType::A)->rcode == wire::Rcode::NXDomain);
  auto name = [](std::string_view t) { return *wire::Name::from_text(t); };

  std::string www = engine::cache_report(h.caches, h.config, name("www.example.com."), RRType::A,
                                         h.clock.now(), h.clock.mono());
  INFO(www);
  CHECK(contains(www, "rrset www.example.com. A ttl-left=3599 trust=answer-auth"));
  CHECK(contains(www, "203.0.113.7"));
  CHECK(contains(www, "delegation example.com."));
  CHECK(contains(www, "ns ns1.example.com."));
  CHECK(contains(www, "198.51.100.1:53 srtt="));  // answered: it has an RTT
  CHECK(contains(www, "198.51.100.2:53 unknown"));  // never asked

  std::string nx = engine::cache_report(h.caches, h.config, name("nx.example.com."), std::nullopt,
                                        h.clock.now(), h.clock.mono());
  INFO(nx);
  CHECK(contains(nx, "negative nx.example.com. NXDOMAIN"));

  std::string none = engine::cache_report(h.caches, h.config, name("www.example.org."), RRType::A,
                                          h.clock.now(), h.clock.mono());
  INFO(none);
  CHECK(contains(none, "rrset none cached"));
  CHECK(contains(none, "delegation . "));  // the root NS set from priming
}

TEST_CASE("cache_report shows lame marks and the failure cache", "[engine][explain][lookup]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(addr(kNs1), "example.com.", rcode(wire::Rcode::Refused));
  h.net.on_subdomain(addr(kNs2), "example.com.", rcode(wire::Rcode::Refused));
  h.resolve("a.example.com.", RRType::A);
  h.caches.failures().clear();
  h.resolve("a.example.com.", RRType::A);  // the second piece of evidence marks them lame
  auto report = engine::cache_report(h.caches, h.config, *wire::Name::from_text("a.example.com."),
                                     RRType::A, h.clock.now(), h.clock.mono());
  INFO(report);
  CHECK(contains(report, "LAME for example.com."));
  CHECK(contains(report, "failure a.example.com. A stands"));
  CHECK(contains(report, "all-servers-lame zone example.com."));
}
