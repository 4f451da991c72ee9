// The RFC 9520 failure cache for child resolutions (issue #13 §2): a glueless name server whose own
// name cannot be resolved is not resolved again for every client question under its zone while
// the failure stands.
#include <catch2/catch.hpp>

#include "example_tree.h"
#include "resolver/engine/trace.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

const char* const kDeadNs = "ns.dead.net.";
const char* const kDeadNetServer = "192.0.2.66";

// gl.com. is delegated without glue to ns.dead.net., whose own zone's server (a.dead.net., so no
// parent-side glue for ns.dead.net. either) answers SERVFAIL to everything: the name server's
// address can never be found.
void build_unresolvable_glueless_ns(Harness& h) {
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "net.", referral("net.", {"ns.net."}, {{"ns.net.", "192.5.6.40"}}));
  h.net.on_subdomain(addr("192.5.6.40"), "dead.net.",
                     referral("dead.net.", {"a.dead.net."}, {{"a.dead.net.", kDeadNetServer}}));
  h.net.on_any(addr(kDeadNetServer), rcode(wire::Rcode::ServFail));
  h.net.on_subdomain(addr(kComServer), "gl.com.", glueless_referral("gl.com.", {kDeadNs}));
}

// Queries anywhere for the name server's own name.
size_t ns_lookups(const Harness& h) {
  auto ns = wire::Name::from_text(kDeadNs).value();
  size_t n = 0;
  for (const auto& q : h.net.sent())
    if (q.qname == ns) ++n;
  return n;
}

struct NullSink : engine::TraceSink {
  void step(const engine::TraceStep&) override {}
};

}  // namespace

TEST_CASE("a glueless name server whose name failed is not resolved again for the next question",
          "[engine][failure-cache][glueless]") {
  Harness h(no_minimisation());
  build_unresolvable_glueless_ns(h);
  auto first = h.resolve("a.gl.com.", RRType::A);
  REQUIRE(first);
  CHECK(first->rcode == wire::Rcode::ServFail);
  REQUIRE(ns_lookups(h) > 0);  // the first question pays for the lookup

  // Another name under the zone within the failure's TTL: the child for ns.dead.net. fails at
  // once, nothing is sent for it.
  h.net.clear_sent();
  auto answers_before = h.engine->stats().failure_cache_answers;
  auto second = h.resolve("b.gl.com.", RRType::A);
  REQUIRE(second);
  CHECK(second->rcode == wire::Rcode::ServFail);
  CHECK(ns_lookups(h) == 0);
  // b.gl.com. itself was never asked before: it was resolved (not answered from the cache).
  CHECK(h.engine->stats().failure_cache_answers == answers_before);

  SECTION("after the failure's TTL the name server's name is resolved again") {
    h.clock.advance(engine::kFailureCacheMinTtl);
    h.net.clear_sent();
    REQUIRE(h.resolve("c.gl.com.", RRType::A)->rcode == wire::Rcode::ServFail);
    CHECK(ns_lookups(h) > 0);
  }
}

TEST_CASE("with the failure cache off a failed glueless name server is resolved every time",
          "[engine][failure-cache][glueless]") {
  auto cfg = no_minimisation();
  cfg.failure_cache_min_ttl = std::chrono::seconds(0);
  Harness h(cfg);
  build_unresolvable_glueless_ns(h);
  REQUIRE(h.resolve("a.gl.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  REQUIRE(ns_lookups(h) > 0);
  // Every later question pays again, the same each time (the first also walked to dead.net.).
  h.net.clear_sent();
  REQUIRE(h.resolve("b.gl.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  size_t second = ns_lookups(h);
  CHECK(second > 0);
  h.net.clear_sent();
  REQUIRE(h.resolve("c.gl.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  CHECK(ns_lookups(h) == second);
  CHECK(h.caches.failures().size() == 0);
}

TEST_CASE("a trace neither reads nor writes the failure cache for its child questions",
          "[engine][failure-cache][glueless][trace]") {
  Harness h(no_minimisation());
  build_unresolvable_glueless_ns(h);
  auto trace = [&](std::string_view qname) {
    NullSink sink;
    std::optional<engine::Answer> traced;
    engine::Query q;
    q.qname = *wire::Name::from_text(qname);
    h.engine->trace(q, sink, [&](const engine::Answer& a) { traced = a; });
    h.clock.run_until_idle();
    REQUIRE(traced);
    CHECK(traced->rcode == wire::Rcode::ServFail);
  };
  // A traced failure leaves nothing behind: the client question after it pays in full.
  trace("a.gl.com.");
  REQUIRE(ns_lookups(h) > 0);
  CHECK(h.caches.failures().size() == 0);
  h.net.clear_sent();
  REQUIRE(h.resolve("b.gl.com.", RRType::A)->rcode == wire::Rcode::ServFail);
  CHECK(ns_lookups(h) > 0);
  REQUIRE(h.caches.failures().size() > 0);
  // A trace run while the failure stands shows the name server's lookup all the same.
  h.net.clear_sent();
  trace("c.gl.com.");
  CHECK(ns_lookups(h) > 0);
}
