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
