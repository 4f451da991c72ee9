// 0x20 on the query bytes and the exact-case check of the response filter.
#include <catch2/catch.hpp>

#include "resolver/net/qname_case.h"
#include "resolver/net/response_filter.h"
#include "wire/message_builder.h"

using namespace tern;

namespace {

// Bits alternate 1,0,1,0...: deterministic case pattern.
struct PatternRandom : engine::Random {
  uint32_t next_u32() override { return 0x55555555u; }
};

std::vector<uint8_t> query_for(const char* name, uint16_t id = 7) {
  return wire::build_query(id, wire::Name::from_text(name).value(), wire::RRType::A,
                           wire::RRClass::IN, false, wire::Edns{});
}

std::vector<uint8_t> response_with_qname(std::span<const uint8_t> qname_wire, uint16_t id) {
  // Header (QR, 1 question) + the name bytes as given + type A class IN.
  // Sized once (GCC 12 -O3 reports a false array-bounds error for insert after a literal).
  std::vector<uint8_t> r(12 + qname_wire.size() + 4, 0);
  r[0] = uint8_t(id >> 8);
  r[1] = uint8_t(id);
  r[2] = 0x84;
  r[5] = 1;
  std::copy(qname_wire.begin(), qname_wire.end(), r.begin() + 12);
  r[r.size() - 3] = 1;
  r[r.size() - 1] = 1;
  return r;
}

}  // namespace

TEST_CASE("0x20 flips only letters of the question name", "[net][0x20]") {
  auto q = query_for("ab-1.cd.");
  auto before = q;
  PatternRandom r;
  CHECK(net::randomise_qname_case(q, r) == 4);
  // Pattern 1,0,1,0 over the letters a b c d: lower, upper, lower, upper.
  std::vector<uint8_t> name{4, 'a', 'B', '-', '1', 2, 'c', 'D', 0};
  CHECK(std::equal(name.begin(), name.end(), q.begin() + 12));
  // Header and everything after the name are untouched.
  CHECK(std::equal(before.begin(), before.begin() + 12, q.begin()));
  CHECK(std::equal(before.begin() + 12 + long(name.size()), before.end(),
                   q.begin() + 12 + long(name.size())));
}

TEST_CASE("0x20 on the root name changes nothing", "[net][0x20]") {
  auto q = query_for(".");
  auto before = q;
  PatternRandom r;
  CHECK(net::randomise_qname_case(q, r) == 0);
  CHECK(q == before);
}

TEST_CASE("the filter requires the exact case only when asked to", "[net][0x20][poisoning]") {
  auto q = query_for("www.example.com.", 0x1111);
  PatternRandom r;
  auto original = net::QueryIdentity::of_query(q).value().qname_wire;
  net::randomise_qname_case(q, r);
  auto id = net::QueryIdentity::of_query(q).value();
  REQUIRE_FALSE(id.qname_wire == original);

  auto echoed = response_with_qname(id.qname_wire, 0x1111);
  auto lowered = response_with_qname(original, 0x1111);
  CHECK(net::filter_response(id, lowered) == net::FilterVerdict::Accept);  // exact_case off
  id.exact_case = true;
  CHECK(net::filter_response(id, echoed) == net::FilterVerdict::Accept);
  CHECK(net::filter_response(id, lowered) == net::FilterVerdict::WrongCase);
  CHECK(net::filter_response(id, response_with_qname(original, 0x1112)) == net::FilterVerdict::WrongId);

  // The accepted answer gets the engine's case back.
  net::restore_qname(echoed, original);
  CHECK(std::equal(original.begin(), original.end(), echoed.begin() + 12));
}
