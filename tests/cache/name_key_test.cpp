#include "cache/name_key.h"

#include <catch2/catch.hpp>
#include <vector>

#include "fixtures.h"

namespace tern::cache {

using namespace test;

TEST_CASE("name_key: folding touches A-Z only", "[name_key]") {
  for (int c = 0; c < 256; ++c) {
    uint8_t in[1] = {uint8_t(c)};
    uint8_t expect = (c >= 'A' && c <= 'Z') ? uint8_t(c + 32) : uint8_t(c);
    CHECK(load_folded(in, 1) == expect);
  }
  // Every byte position of the 8-byte word, next to neighbours that must not change.
  std::vector<uint8_t> word = {'@', 'A', 'Z', '[', '`', 'a', 0xc1, 0xda};
  uint64_t folded = load_folded(word.data(), 8);
  std::vector<uint8_t> expect = {'@', 'a', 'z', '[', '`', 'a', 0xc1, 0xda};
  uint64_t want = 0;
  std::memcpy(&want, expect.data(), 8);
  CHECK(folded == want);
}

TEST_CASE("name_key: hash and equality ignore case, nothing else", "[name_key]") {
  auto a = name("WWW.Example-Host.COM.");
  auto b = name("www.example-host.com.");
  auto c = name("www.example-host.con.");
  CHECK(hash_name_key(a.wire(), 1) == hash_name_key(b.wire(), 1));
  CHECK(hash_name_key(a.wire(), 1) != hash_name_key(b.wire(), 2));
  CHECK(hash_name_key(b.wire(), 1) != hash_name_key(c.wire(), 1));
  CHECK(wire_equal_ci(a.wire(), b.wire()));
  CHECK_FALSE(wire_equal_ci(b.wire(), c.wire()));
  CHECK_FALSE(wire_equal_ci(name("a.b.").wire(), name("ab.").wire()));
  // Non-ASCII octets are compared exactly (RFC 4343: only A-Z fold).
  auto hi = wire::Name::from_wire(std::vector<uint8_t>{1, 0xc1, 0}).value();
  auto lo = wire::Name::from_wire(std::vector<uint8_t>{1, 0xe1, 0}).value();
  CHECK_FALSE(wire_equal_ci(hi.wire(), lo.wire()));
}

TEST_CASE("name_key: subdomain test is label-aligned", "[name_key]") {
  CHECK(wire_is_subdomain_ci(name("a.b.Example.com.").wire(), name("example.COM.").wire()));
  CHECK(wire_is_subdomain_ci(name("example.com.").wire(), name("example.com.").wire()));
  CHECK(wire_is_subdomain_ci(name("example.com.").wire(), name(".").wire()));
  CHECK_FALSE(wire_is_subdomain_ci(name("badexample.com.").wire(), name("example.com.").wire()));
  CHECK_FALSE(wire_is_subdomain_ci(name("com.").wire(), name("example.com.").wire()));
  CHECK(wire_label_count(name("a.b.c.").wire()) == 3);
  CHECK(wire_label_count(name(".").wire()) == 0);
}

}  // namespace tern::cache
