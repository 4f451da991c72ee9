#include "cache/failure_cache.h"

#include <catch2/catch.hpp>

#include "fixtures.h"

namespace tern::cache {
namespace {

using namespace test;
using wire::RRClass;
using wire::RRType;

}  // namespace

TEST_CASE("FailureCache: a failure stands for the minimum, per (name, type, class)", "[failure]") {
  FailureCache c(1 << 20);
  CHECK_FALSE(c.failing(name("a.example."), RRType::A, RRClass::IN, mono_at(0)));
  CHECK(c.record(name("A.Example."), RRType::A, RRClass::IN, mono_at(0), Seconds(5), Seconds(300)) ==
        Seconds(5));
  CHECK(c.failing(name("a.example."), RRType::A, RRClass::IN, mono_at(4.999)));
  CHECK_FALSE(c.failing(name("a.example."), RRType::AAAA, RRClass::IN, mono_at(1)));
  CHECK_FALSE(c.failing(name("b.example."), RRType::A, RRClass::IN, mono_at(1)));
  CHECK_FALSE(c.failing(name("a.example."), RRType::A, RRClass::IN, mono_at(5)));
}

TEST_CASE("FailureCache: repeated failures back off up to the maximum", "[failure]") {
  FailureCache c(1 << 20);
  auto n = name("a.example.");
  double t = 0;
  std::vector<int64_t> ttls;
  for (int i = 0; i < 9; ++i) {
    auto ttl = c.record(n, RRType::A, RRClass::IN, mono_at(t), Seconds(5), Seconds(300));
    ttls.push_back(ttl.count());
    t += double(ttl.count());  // asked again as soon as the failure expires, and fails again
  }
  CHECK(ttls == std::vector<int64_t>{5, 10, 20, 40, 80, 160, 300, 300, 300});
  // A failure long after the last one is forgotten: back to the minimum.
  CHECK(c.record(n, RRType::A, RRClass::IN, mono_at(t + 10000), Seconds(5), Seconds(300)) ==
        Seconds(5));
}

TEST_CASE("FailureCache: bounded in bytes", "[failure]") {
  const size_t budget = 64 << 10;
  FailureCache c(budget);
  for (int i = 0; i < 20000; ++i) {
    std::string n = "n";  // not "n" + to_string(...): GCC 12 -O3 -Wrestrict false positive
    n += std::to_string(i) + ".example.";
    c.record(name(n), RRType::A, RRClass::IN, mono_at(0), Seconds(5), Seconds(300));
  }
  CHECK(c.memory_bytes() <= budget);
  CHECK(c.size() > 100);
}

}  // namespace tern::cache

namespace tern::cache {
namespace {
using namespace test;
using wire::RRClass;
using wire::RRType;
}  // namespace

TEST_CASE("FailureCache keeps why the question failed: reason, zone, server", "[failure]") {
  FailureCache c(1 << 20);
  FailureWhy why;
  why.reason = 7;
  why.zone = name("example.");
  why.server = ServerKey::ipv4({192, 0, 2, 1}, 53);
  c.record(name("a.example."), RRType::A, RRClass::IN, mono_at(0), Seconds(5), Seconds(300), why);
  auto s = c.why(name("A.example."), RRType::A, RRClass::IN, mono_at(1));
  REQUIRE(s);
  CHECK(s->why.reason == 7);
  CHECK(s->why.zone == name("example."));
  REQUIRE(s->why.server);
  CHECK(*s->why.server == ServerKey::ipv4({192, 0, 2, 1}, 53));
  CHECK(s->left == Seconds(4));
  CHECK_FALSE(c.why(name("a.example."), RRType::A, RRClass::IN, mono_at(5)));

  SECTION("failing again in another zone replaces the reason and keeps the backoff") {
    FailureWhy other;
    other.reason = 9;
    other.zone = name("a.example.");
    auto ttl = c.record(name("a.example."), RRType::A, RRClass::IN, mono_at(6), Seconds(5),
                        Seconds(300), other);
    CHECK(ttl == Seconds(10));  // doubled: the last failure ended moments ago
    auto t = c.why(name("a.example."), RRType::A, RRClass::IN, mono_at(7));
    REQUIRE(t);
    CHECK(t->why.reason == 9);
    CHECK(t->why.zone == name("a.example."));
    CHECK_FALSE(t->why.server);
    CHECK(c.size() == 1);
  }
}

}  // namespace tern::cache
