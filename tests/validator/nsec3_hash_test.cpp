// NSEC3 hashes of the RFC 5155 Appendix A zone (SHA-1, 12 iterations, salt aabbccdd), as the
// appendix lists them, and the per-query hash budget.
#include <catch2/catch.hpp>

#include "resolver/validator/nsec3_hash.h"
#include "test_records.h"
#include "wire/nsec3_label.h"

using namespace tern::validator;
using tern::validator::test::hex;
using tern::validator::test::name;

namespace {
// H(n) with the Appendix A parameters; empty when no hash was computed.
std::vector<uint8_t> h(std::string_view n, ValidationBudget& budget) {
  auto salt = hex("aabbccdd");
  auto r = nsec3_hash(name(n), 1, 12, salt, budget);
  if (!r) return {};
  return {r->begin(), r->end()};
}
// The hash a published base32hex label encodes.
std::vector<uint8_t> label(std::string_view l) { return tern::wire::nsec3_hash_from_label(l).value(); }
}  // namespace

TEST_CASE("RFC 5155 Appendix A hashes", "[nsec3_hash]") {
  ValidationBudget b;
  CHECK(h("example.", b) == label("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"));
  CHECK(h("a.example.", b) == label("35mthgpgcu1qg68fab165klnsnk3dpvl"));
  CHECK(h("ai.example.", b) == label("gjeqe526plbf1g8mklp59enfd789njgi"));
  CHECK(h("ns1.example.", b) == label("2t7b4g4vsa5smi47k61mv5bv1a22bojr"));
  CHECK(h("ns2.example.", b) == label("q04jkcevqvmu85r014c7dkba38o0ji5r"));
  CHECK(h("w.example.", b) == label("k8udemvp1j2f7eg6jebps17vp3n8i58h"));
  CHECK(h("*.w.example.", b) == label("r53bq7cc2uvmubfu5ocmm6pers9tk9en"));
  CHECK(h("x.w.example.", b) == label("b4um86eghhds6nea196smvmlo4ors995"));
  CHECK(h("y.w.example.", b) == label("ji6neoaepv8b5o6k4ev33abha8ht9fgc"));
  CHECK(h("x.y.w.example.", b) == label("2vptu5timamqttgl4luu9kg21e0aor3s"));
  CHECK(h("xx.example.", b) == label("t644ebqk9bibcna874givr6joj62mlhv"));
  CHECK(h("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", b) == label("kohar7mbb8dc2ce8a9qvl8hon4k53uhi"));
  // Case does not matter: the canonical (lowercase) name is hashed; labels decode in either case.
  CHECK(h("X.W.Example.", b) == label("B4UM86EGHHDS6NEA196SMVMLO4ORS995"));
  CHECK(b.nsec3_hashes_left() == kMaxNsec3HashesPerQuery - 13);
  CHECK_FALSE(tern::wire::nsec3_hash_from_label("not-base32hex"));
}

TEST_CASE("the NSEC3 hash budget stops hashing", "[nsec3_hash]") {
  ValidationBudget b(0, 2);
  CHECK_FALSE(h("example.", b).empty());
  CHECK_FALSE(h("a.example.", b).empty());
  CHECK(h("ai.example.", b).empty());
  auto salt = hex("aabbccdd");
  ValidationBudget more;
  CHECK_FALSE(nsec3_hash(name("example."), 2, 12, salt, more));  // unknown hash algorithm
}
