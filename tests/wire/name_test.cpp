#include "wire/name.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "hex.h"

using namespace tern::wire;
using tern::wire::test::hex;
using tern::wire::test::to_hex;

namespace {
Name N(std::string_view text) {
  auto n = Name::from_text(text);
  REQUIRE(n.ok());
  return *n;
}
}  // namespace

TEST_CASE("Name: text to wire and back", "[name]") {
  CHECK(to_hex(N("example.com.").wire()) == "076578616d706c6503636f6d00");
  CHECK(N("Example.COM").to_text() == "Example.COM.");
  CHECK(N(".").to_text() == ".");
  CHECK(N(".").is_root());
  CHECK(Name().wire_size() == 1);
  CHECK(N("a.b.c.").label_count() == 3);
  CHECK(N("a.b.c.").label(1) == "b");
}

TEST_CASE("Name: escapes", "[name]") {
  auto n = N("\\065\\.x.y");
  CHECK(n.label_count() == 2);
  CHECK(n.label(0) == "A.x");
  CHECK(n.to_text() == "A\\.x.y.");
  CHECK(N("a\\\\b.").label(0) == "a\\b");
  CHECK(N("a\\000b.").to_text() == "a\\000b.");
  CHECK(N("sp\\032ace.").to_text() == "sp\\032ace.");
  CHECK(N("q\\\"uote\\;.").to_text() == "q\\\"uote\\;.");
  CHECK(Name::from_text("a\\").error() == WireError::BadEscape);
  CHECK(Name::from_text("a\\25").error() == WireError::BadEscape);
  CHECK(Name::from_text("a\\256.").error() == WireError::BadEscape);
  CHECK(Name::from_text("a\\1x3.").error() == WireError::BadEscape);
  CHECK(Name::from_text("a..b").error() == WireError::EmptyLabel);
  CHECK(Name::from_text(".a").error() == WireError::EmptyLabel);
  CHECK(Name::from_text("").error() == WireError::BadText);
}

TEST_CASE("Name: 63-octet label and 255-octet name limits", "[name]") {
  std::string l63(63, 'a'), l64(64, 'a');
  CHECK(Name::from_text(l63 + ".").ok());
  CHECK(Name::from_text(l64 + ".").error() == WireError::LabelTooLong);
  // 4 labels of 63 = 4*64 + 1 = 257 > 255; 3 labels of 63 + one of 61 = 255 exactly.
  std::string l61(61, 'b');
  auto max = Name::from_text(l63 + "." + l63 + "." + l63 + "." + l61 + ".");
  REQUIRE(max.ok());
  CHECK(max->wire_size() == 255);
  CHECK(Name::from_text(l63 + "." + l63 + "." + l63 + "." + l61 + "b.").error() ==
        WireError::NameTooLong);
  CHECK(Name::from_text(l63 + "." + l63 + "." + l63 + "." + l63 + ".").error() ==
        WireError::NameTooLong);
  CHECK(max->prepend("x").error() == WireError::NameTooLong);
  CHECK(N("a.").prepend(l64).error() == WireError::LabelTooLong);
  CHECK(N("a.").prepend("").error() == WireError::EmptyLabel);
}

TEST_CASE("Name: from_wire validates", "[name]") {
  CHECK(Name::from_wire(hex("0161 00")).ok());
  CHECK(Name::from_wire(hex("0161")).error() == WireError::Truncated);
  CHECK(Name::from_wire(hex("0161 00 00")).error() == WireError::TrailingGarbage);
  CHECK(Name::from_wire(hex("c00c")).error() == WireError::BadLabelType);
  CHECK(Name::from_wire(hex("4161 00")).error() == WireError::BadLabelType);
  CHECK(Name::from_wire(hex("")).error() == WireError::Truncated);
}

TEST_CASE("Name: relative names and origin", "[name]") {
  auto origin = N("example.com.");
  CHECK(Name::from_text("www", origin)->to_text() == "www.example.com.");
  CHECK(Name::from_text("www.", origin)->to_text() == "www.");
  CHECK(Name::from_text("@", origin)->to_text() == "example.com.");
  CHECK(Name::from_text("a\\.", origin)->to_text() == "a\\..example.com.");
  CHECK(N("www").concat(origin)->to_text() == "www.example.com.");
}

TEST_CASE("Name: hierarchy", "[name]") {
  auto n = N("a.b.example.com.");
  CHECK(n.parent().to_text() == "b.example.com.");
  CHECK(Name().parent().is_root());
  CHECK(n.suffix(2).to_text() == "example.com.");
  CHECK(n.suffix(0).is_root());
  CHECK(n.suffix(9) == n);
  CHECK(n.is_subdomain_of(N("EXAMPLE.com")));
  CHECK(n.is_subdomain_of(n));
  CHECK(n.is_subdomain_of(Name()));
  CHECK_FALSE(n.is_subdomain_of(N("xample.com")));
  CHECK_FALSE(N("com.").is_subdomain_of(n));
  CHECK(n.common_ancestor(N("x.Example.com")).to_text() == "example.com.");
  CHECK(n.common_ancestor(N("org")).is_root());
  CHECK(N("ExAmPle.").lowercased().to_text() == "example.");
  CHECK(N("www").prepend("x")->to_text() == "x.www.");
}

TEST_CASE("Name: case-insensitive equality and hash", "[name]") {
  CHECK(N("Example.COM") == N("example.com"));
  CHECK_FALSE(N("example.com") == N("example.org"));
  CHECK(N("Example.COM").hash() == N("example.com").hash());
  std::unordered_set<Name, NameHash> set{N("a.example."), N("A.EXAMPLE.")};
  CHECK(set.size() == 1);
  // Case is preserved even though comparisons ignore it.
  CHECK(N("Example.COM").to_text() == "Example.COM.");
}

TEST_CASE("Name: canonical order, RFC 4034 section 6.1 example", "[name]") {
  std::vector<std::string> ordered{
      "example.",          "a.example.",     "yljkjljk.a.example.", "Z.a.example.",
      "zABC.a.EXAMPLE.",   "z.example.",     "\\001.z.example.",    "*.z.example.",
      "\\200.z.example."};
  std::vector<Name> names;
  for (const auto& t : ordered) names.push_back(N(t));
  std::vector<Name> shuffled(names.rbegin(), names.rend());
  std::swap(shuffled[1], shuffled[5]);
  std::sort(shuffled.begin(), shuffled.end(), NameCanonicalLess());
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK(shuffled[i].to_text() == names[i].to_text());
  }
  CHECK(N("a.example").canonical_compare(N("A.EXAMPLE")) == 0);
}
