#include "wire/name_view.h"

#include <catch2/catch.hpp>

#include "hex.h"

using namespace tern::wire;
using tern::wire::test::hex;

TEST_CASE("NameView: in-place length, decompression, equality and hash", "[name_view]") {
  // @0 "Example.com." ; @13 "www" + pointer to 0 ; @19 pointer to 13
  auto p = hex("07 4578616d706c65 03 636f6d 00  03 777777 c000  c00d");
  NameView base(p, 0), www(p, 13), ptr(p, 19);
  CHECK(base.wire_length_in_place() == 13);
  CHECK(www.wire_length_in_place() == 6);
  CHECK(ptr.wire_length_in_place() == 2);
  CHECK(ptr.to_name()->to_text() == "www.Example.com.");
  CHECK(ptr.equals(*Name::from_text("WWW.example.COM")));
  CHECK_FALSE(ptr.equals(*Name::from_text("www.example.org")));
  CHECK_FALSE(ptr.equals(*Name::from_text("example.com")));
  CHECK_FALSE(www.equals(*Name::from_text("x.www.example.com")));
  CHECK(ptr.hash() == Name::from_text("www.example.com")->hash());
  size_t hops = 0;
  CHECK(ptr.validate(&hops).ok());
  CHECK(hops == 2);
}

TEST_CASE("NameView: limits", "[name_view]") {
  CHECK(NameView(hex("c000"), 0).to_name().error() == WireError::PointerLoop);
  CHECK(NameView(hex("00 c001"), 1).to_name().error() == WireError::PointerLoop);
  CHECK(NameView(hex("c002 00"), 0).to_name().error() == WireError::PointerNotBackward);
  CHECK(NameView(hex("00 c009"), 1).to_name().error() == WireError::PointerOutOfRange);
  CHECK(NameView(hex("0561"), 0).to_name().error() == WireError::Truncated);
  CHECK(NameView(hex(""), 0).to_name().error() == WireError::Truncated);
  CHECK(NameView(hex("01"), 5).validate().error() == WireError::Truncated);
  CHECK(NameView(hex("0161 00"), 0).wire_length_in_place() == 3);
  CHECK(NameView(hex("c0"), 0).wire_length_in_place() == 0);  // invalid
  CHECK_FALSE(NameView(hex("c000"), 0).equals(Name()));
}

TEST_CASE("NameView: a chain of exactly 64 hops is accepted, 65 is not", "[name_view]") {
  // @0 root; then pointers, each to the previous one.
  std::vector<uint8_t> p{0};
  for (int i = 0; i < 65; ++i) {
    size_t target = i == 0 ? 0 : p.size() - 2;
    p.push_back(uint8_t(0xc0 | (target >> 8)));
    p.push_back(uint8_t(target));
  }
  // The pointer at offset 1 + 2*63 follows 64 pointers; the last one (offset 129) follows 65.
  CHECK(NameView(p, 1 + 2 * 63).to_name().ok());
  CHECK(NameView(p, 1 + 2 * 64).to_name().error() == WireError::TooManyPointers);
}
