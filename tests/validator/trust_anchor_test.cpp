// Trust anchor files and the compiled-in root anchors.
#include <catch2/catch.hpp>

#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/trust_anchor.h"
#include "root-hints/compiled_trust_anchors.h"
#include "test_records.h"

using namespace tern;
using namespace tern::validator;
using tern::validator::test::name;

TEST_CASE("the compiled-in root anchors are KSK-2017 and KSK-2024", "[trust_anchor]") {
  auto anchors = parse_trust_anchors(compiled_trust_anchors());
  REQUIRE(anchors);
  REQUIRE(anchors->size() == 1);
  const auto& root = anchors->front();
  CHECK(root.zone.is_root());
  CHECK(root.dnskey.empty());
  std::vector<uint16_t> tags;
  for (auto rd : root.ds) {
    auto ds = parse_ds(rd);
    REQUIRE(ds);
    CHECK(ds->algorithm == 8);
    CHECK(ds->digest_type == 2);
    tags.push_back(ds->key_tag);
  }
  CHECK(tags == std::vector<uint16_t>{20326, 38696});
  CHECK(closest_trust_anchor(*anchors, name("www.example.com.")) == &root);
}

TEST_CASE("several zones, DS and DNSKEY forms, comments and parentheses", "[trust_anchor]") {
  auto anchors = parse_trust_anchors(
      "; local anchors\n"
      "$TTL 3600\n"
      "example.net. IN DNSKEY 257 3 13 ( GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYb\n"
      "        cB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== ) ; key id = 55648\n"
      "\n"
      "$ORIGIN example.com.\n"
      "@ 86400 IN DS 3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b\n"
      "sub IN DS 3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b\n"
      "example.net. IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17\n");
  REQUIRE(anchors);
  REQUIRE(anchors->size() == 3);
  CHECK((*anchors)[0].zone == name("example.net."));
  CHECK((*anchors)[0].dnskey.size() == 1);
  CHECK((*anchors)[0].ds.size() == 1);
  CHECK((*anchors)[1].zone == name("example.com."));
  CHECK((*anchors)[2].zone == name("sub.example.com."));
  CHECK(closest_trust_anchor(*anchors, name("a.sub.example.com."))->zone == name("sub.example.com."));
  CHECK(closest_trust_anchor(*anchors, name("www.example.com."))->zone == name("example.com."));
  CHECK(closest_trust_anchor(*anchors, name("example.org.")) == nullptr);
}

TEST_CASE("bad anchor files are rejected with the line", "[trust_anchor]") {
  auto err = [](std::string_view text) {
    auto r = parse_trust_anchors(text);
    REQUIRE_FALSE(r);
    return r.error();
  };
  CHECK(err("").error == TrustAnchorError::Empty);
  CHECK(err("; only a comment\n").error == TrustAnchorError::Empty);
  auto a = err(". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
               ". IN NS a.root-servers.net.\n");
  CHECK(a.error == TrustAnchorError::UnexpectedType);
  CHECK(a.line == 2);
  CHECK(err(". CH DS 20326 8 2 E06D44B8\n").error == TrustAnchorError::UnexpectedClass);
  CHECK(err(". IN DS 20326 8\n").error == TrustAnchorError::BadRecord);
  CHECK(err(". IN DS ( 20326 8 2 E06D44B8\n").error == TrustAnchorError::Unbalanced);
  CHECK(err(". IN DS 20326 8 2 E06D44B8 )\n").error == TrustAnchorError::Unbalanced);
  CHECK(err("$INCLUDE other.zone\n").error == TrustAnchorError::BadDirective);
  CHECK(err("$TTL forever\n").error == TrustAnchorError::BadDirective);
  std::string many;
  for (size_t i = 0; i <= kMaxTrustAnchorRecords; ++i) many += ". IN DS 1 8 2 00\n";
  CHECK(err(many).error == TrustAnchorError::TooLarge);
}
