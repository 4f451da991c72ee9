#include "wire/rrset.h"

#include <catch2/catch.hpp>

#include "hex.h"
#include "wire/message_builder.h"

using namespace tern::wire;
using tern::wire::test::hex;

TEST_CASE("RRset: add dedups, same_data ignores order and TTL", "[rrset]") {
  RRset a(*Name::from_text("x.example"), RRType::A, RRClass::IN, 60);
  CHECK(a.add(std::vector<uint8_t>{1, 2, 3, 4}));
  CHECK(a.add(std::vector<uint8_t>{5, 6, 7, 8}));
  CHECK_FALSE(a.add(std::vector<uint8_t>{1, 2, 3, 4}));
  CHECK(a.size() == 2);
  RRset b(*Name::from_text("X.EXAMPLE"), RRType::A, RRClass::IN, 30);
  b.add(std::vector<uint8_t>{5, 6, 7, 8});
  CHECK_FALSE(a.same_data(b));
  b.add(std::vector<uint8_t>{1, 2, 3, 4});
  CHECK(a.same_data(b));
  size_t n = 0;
  for (auto rd : a) {
    CHECK(rd.size() == 4);
    ++n;
  }
  CHECK(n == 2);
  CHECK(a.memory_bytes() >= sizeof(RRset) + 12);
}

TEST_CASE("collect_rrsets groups by owner/type/class with min TTL", "[rrset]") {
  auto p = hex(R"(
    0001 8180 0001 0004 0000 0000
    01 61 00 0001 0001                        # @12 a. A
    c00c 0001 0001 00000064 0004 01020304     # a. 100 A
    c00c 0005 0001 00000032 0003 01 62 00     # a. 50 CNAME b.
    01 41 00 0001 0001 0000001e 0004 05060708 # A. 30 A (same owner, other case)
    c00c 0001 0001 80000000 0004 01020304     # duplicate, TTL with top bit set -> 0
  )");
  auto m = MessageView::parse(p);
  REQUIRE(m.ok());
  auto sets = collect_rrsets(*m, Section::Answer);
  REQUIRE(sets.ok());
  REQUIRE(sets->size() == 2);
  CHECK((*sets)[0].type == RRType::A);
  CHECK((*sets)[0].size() == 2);
  CHECK((*sets)[0].ttl == 0);
  CHECK((*sets)[1].type == RRType::CNAME);
  CHECK((*sets)[1].ttl == 50);
  CHECK(collect_rrsets(*m, Section::Authority)->empty());
}
