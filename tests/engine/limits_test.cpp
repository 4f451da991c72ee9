// Every limit counted per client query: glueless lookups per delegation (NXNSAttack), total
// upstream queries, referral depth, the resolve deadline.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("NXNSAttack: at most max_glueless_per_delegation NS names are looked up",
          "[engine][limits][glueless]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  h.net.on_subdomain(h.root(), "net.", referral("net.", {"ns.net."}, {{"ns.net.", "192.5.6.40"}}));
  // An attacker's delegation: 20 name servers in a zone that answers NXDOMAIN for all of them.
  std::vector<std::string> names;
  for (int i = 0; i < 20; ++i) names.push_back("ns" + std::to_string(i) + ".victim.net.");
  h.net.on_subdomain(addr(kComServer), "attack.com.", glueless_referral("attack.com.", names));
  h.net.on_subdomain(addr("192.5.6.40"), "victim.net.", nxdomain("net."));
  auto a = h.resolve("x.attack.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::GluelessLimit);
  size_t to_victim = 0;
  for (const auto& q : h.net.sent())
    if (q.qname.is_subdomain_of(wire::Name::from_text("victim.net.").value())) ++to_victim;
  // One A query per NS name looked up (the first also walks root -> net.).
  CHECK(to_victim <= engine::kMaxGluelessPerDelegation * 2);
  CHECK(to_victim >= engine::kMaxGluelessPerDelegation);
}

TEST_CASE("total upstream queries per client query are bounded", "[engine][limits]") {
  auto cfg = no_minimisation();
  cfg.max_upstream_queries = 8;
  Harness h(cfg);
  build_example_tree(h);
  // 30 servers that all answer SERVFAIL.
  std::vector<Glue> glue;
  std::vector<std::string> names;
  for (int i = 0; i < 30; ++i) {
    names.push_back("ns" + std::to_string(i) + ".many.com.");
    glue.push_back({names.back(), "198.51.100." + std::to_string(100 + i)});
    h.net.on_any(addr(glue.back().address), rcode(wire::Rcode::ServFail));
  }
  h.net.on_subdomain(addr(kComServer), "many.com.", referral("many.com.", names, glue));
  auto a = h.resolve("www.many.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::UpstreamBudget);
  CHECK(h.net.sent().size() == 8);
  CHECK(a->upstream_queries == 8);
}

TEST_CASE("referral depth is bounded", "[engine][limits]") {
  auto cfg = no_minimisation();
  cfg.max_referral_depth = 4;
  Harness h(cfg);
  h.serve_priming();
  // Every server delegates one label further down to the next server: l1. -> l2.l1. -> ...
  std::string zone = "l1.";
  h.net.on_subdomain(h.root(), zone, referral(zone, {"ns." + zone}, {{"ns." + zone, "192.0.2.1"}}));
  for (int i = 2; i < 12; ++i) {
    std::string child = std::string("l").append(std::to_string(i)).append(".").append(zone);
    std::string server = "192.0.2." + std::to_string(i - 1);
    std::string next = "192.0.2." + std::to_string(i);
    h.net.on_subdomain(addr(server), child, referral(child, {"ns." + child}, {{"ns." + child, next}}));
    zone = child;
  }
  auto a = h.resolve("x." + zone, RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::ReferralDepth);
  CHECK(h.net.sent().size() == 1 + 5);  // priming + the root + 4 referrals followed
}

TEST_CASE("the resolve deadline ends a resolution of silent servers", "[engine][limits][timeout]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  std::vector<Glue> glue;
  std::vector<std::string> names;
  for (int i = 0; i < 30; ++i) {
    names.push_back("ns" + std::to_string(i) + ".silent.com.");
    glue.push_back({names.back(), "198.51.100." + std::to_string(100 + i)});
  }
  h.net.on_subdomain(addr(kComServer), "silent.com.", referral("silent.com.", names, glue));
  auto start = h.clock.now();
  auto a = h.resolve("www.silent.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::ServFail);
  REQUIRE(a->failure);
  CHECK(*a->failure == engine::Failure::Deadline);
  auto took = h.clock.now() - start;
  CHECK(took <= engine::kResolveDeadline + std::chrono::milliseconds(1));
  CHECK(took >= engine::kResolveDeadline - std::chrono::milliseconds(400));
  CHECK(h.engine->in_flight() == 0);
}

TEST_CASE("resolutions in flight per engine are bounded", "[engine][limits]") {
  auto cfg = no_minimisation();
  cfg.max_in_flight = 3;
  Harness h(cfg);
  build_example_tree(h);
  std::vector<std::optional<engine::Answer>> answers(5);
  for (size_t i = 0; i < answers.size(); ++i)
    h.resolve_async(std::string("n").append(std::to_string(i)).append(".example.com."), RRType::A, &answers[i]);
  CHECK(h.engine->in_flight() == 3);
  REQUIRE(answers[3]);
  CHECK(answers[3]->rcode == wire::Rcode::ServFail);
  CHECK(*answers[3]->failure == engine::Failure::Overloaded);
  h.clock.run_until_idle();
  for (const auto& a : answers) CHECK(a);
}
