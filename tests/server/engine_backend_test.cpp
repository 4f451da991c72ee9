// EngineBackend against the real engine in the simulated world (tests/support): what the front
// end's prefetch asks of the engine. No sockets, no sleeps: the engine's clock is manual.
#include "resolver/server/engine_backend.h"

#include <catch2/catch.hpp>

#include <optional>

#include "tests/support/builders.h"
#include "tests/support/harness.h"
#include "tests/support/manual_clock.h"
#include "tests/support/sim_network.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

namespace {

struct World {
  ManualClock* clock = nullptr;
  SimNetwork* net = nullptr;
  cache::Caches caches{cache::CacheLimits{}};
  std::unique_ptr<server::EngineBackend> backend;

  World() {
    auto c = std::make_unique<ManualClock>();
    auto n = std::make_unique<SimNetwork>(*c);
    clock = c.get();
    net = n.get();
    auto cfg = Harness::default_config();
    cfg.qname_minimisation = false;
    // The engine's own RRset-level prefetch off: a plain resolve then stays in the cache, and
    // every upstream question below is the front end's prefetch (which does not depend on it).
    cfg.prefetch = false;
    Address root = addr(kRootServerAddress);
    net->on(root, ".", RRType::NS,
            answer({". 518400 IN NS " + std::string(kRootServerName)})
                .add(std::string(kRootServerName) + " 518400 IN A " + std::string(kRootServerAddress)));
    net->on_subdomain(root, "com.", referral("com.", {"ns.com."}, {{"ns.com.", "192.5.6.30"}}));
    net->on_subdomain(addr("192.5.6.30"), "example.com.",
                      referral("example.com.", {"ns1.example.com."}, {{"ns1.example.com.", "198.51.100.1"}}));
    net->on(addr("198.51.100.1"), "www.example.com.", RRType::A,
            answer({"www.example.com. 100 IN A 192.0.2.7"}));
    server::EngineParts parts{std::move(n), std::move(c), std::make_unique<SequenceRandom>()};
    backend = std::make_unique<server::EngineBackend>(std::move(parts), cfg, caches);
  }

  struct Result {
    server::Sections sections;
    bool cacheable = false;
  };
  // Runs the simulated world until `done` came (nullopt: it never did).
  template <class Ask>
  std::optional<Result> run(Ask ask) {
    std::optional<Result> out;
    server::ClientQuery q;
    q.has_question = true;
    q.qname = *wire::Name::from_text("www.example.com.");
    q.qtype = RRType::A;
    ask(q, [&out](const server::Sections& s, bool cacheable) { out = Result{s, cacheable}; });
    clock->run_until([&] { return out.has_value(); });
    return out;
  }
  // Questions for www.example.com. A that reached its authoritative server.
  size_t sent_for_www() const {
    size_t n = 0;
    for (const auto& line : net->sent_text())
      if (line.rfind("198.51.100.1:53 ", 0) == 0 && line.find(" www.example.com. A") != std::string::npos) ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("EngineBackend::prefetch asks upstream although the cache still holds the answer") {
  World w;
  auto resolve = [&](const server::ClientQuery& q, server::Backend::Done d) {
    w.backend->resolve(q, nullptr, std::move(d));
  };
  auto prefetch = [&](const server::ClientQuery& q, server::Backend::Done d) {
    w.backend->prefetch(q, std::move(d));
  };
  auto first = w.run(resolve);
  REQUIRE(first);
  REQUIRE(first->sections.answer.size() == 1);
  CHECK(first->sections.answer[0].ttl == 100);
  CHECK(first->cacheable);
  CHECK(w.sent_for_www() == 1);

  w.clock->advance(std::chrono::seconds(91));
  // A plain resolve is answered from the engine's cache: the nearly expired copy.
  auto cached = w.run(resolve);
  REQUIRE(cached);
  CHECK(cached->sections.answer[0].ttl == 9);
  CHECK(w.sent_for_www() == 1);

  // The prefetch goes upstream and hands back the fresh copy, which the front end may cache.
  auto fresh = w.run(prefetch);
  REQUIRE(fresh);
  REQUIRE(fresh->sections.answer.size() == 1);
  CHECK(fresh->sections.answer[0].ttl == 100);
  CHECK(fresh->cacheable);
  CHECK(w.sent_for_www() == 2);
  CHECK(w.backend->in_flight() == 0);

  // Two prefetches of the same question at once are one upstream query; both get the answer.
  w.clock->advance(std::chrono::seconds(95));
  std::optional<World::Result> other;
  auto both = w.run([&](const server::ClientQuery& q, server::Backend::Done d) {
    w.backend->prefetch(q, [&other](const server::Sections& s, bool c) { other = World::Result{s, c}; });
    w.backend->prefetch(q, std::move(d));
  });
  REQUIRE(both);
  REQUIRE(other);
  CHECK(both->sections.answer[0].ttl == 100);
  CHECK(other->sections.answer[0].ttl == 100);
  CHECK(w.sent_for_www() == 3);
}
