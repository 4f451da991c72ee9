// NSEC3 hashes of the RFC 5155 Appendix A zone (SHA-1, 12 iterations, salt aabbccdd), as the
// appendix lists them, and the per-query hash budget.
#include <catch2/catch.hpp>

#include "resolver/validator/nsec3_hash.h"
#include "test_records.h"
#include "wire/encoding.h"

using namespace tern::validator;
using tern::validator::test::hex;
using tern::validator::test::name;

namespace {
std::string h(std::string_view n, ValidationBudget& budget) {
  auto salt = hex("aabbccdd");
  auto r = nsec3_hash(name(n), 1, 12, salt, budget);
  if (!r) return "(none)";
  std::string s = tern::wire::detail::to_base32hex(*r);
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

TEST_CASE("RFC 5155 Appendix A hashes", "[nsec3_hash]") {
  ValidationBudget b;
  CHECK(h("example.", b) == "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
  CHECK(h("a.example.", b) == "35mthgpgcu1qg68fab165klnsnk3dpvl");
  CHECK(h("ai.example.", b) == "gjeqe526plbf1g8mklp59enfd789njgi");
  CHECK(h("ns1.example.", b) == "2t7b4g4vsa5smi47k61mv5bv1a22bojr");
  CHECK(h("ns2.example.", b) == "q04jkcevqvmu85r014c7dkba38o0ji5r");
  CHECK(h("w.example.", b) == "k8udemvp1j2f7eg6jebps17vp3n8i58h");
  CHECK(h("*.w.example.", b) == "r53bq7cc2uvmubfu5ocmm6pers9tk9en");
  CHECK(h("x.w.example.", b) == "b4um86eghhds6nea196smvmlo4ors995");
  CHECK(h("y.w.example.", b) == "ji6neoaepv8b5o6k4ev33abha8ht9fgc");
  CHECK(h("x.y.w.example.", b) == "2vptu5timamqttgl4luu9kg21e0aor3s");
  CHECK(h("xx.example.", b) == "t644ebqk9bibcna874givr6joj62mlhv");
  CHECK(h("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", b) == "kohar7mbb8dc2ce8a9qvl8hon4k53uhi");
  // Case does not matter: the canonical (lowercase) name is hashed.
  CHECK(h("X.W.Example.", b) == "b4um86eghhds6nea196smvmlo4ors995");
  CHECK(b.nsec3_hashes_left() == kMaxNsec3HashesPerQuery - 13);
}

TEST_CASE("the NSEC3 hash budget stops hashing", "[nsec3_hash]") {
  ValidationBudget b(0, 2);
  CHECK(h("example.", b) != "(none)");
  CHECK(h("a.example.", b) != "(none)");
  CHECK(h("ai.example.", b) == "(none)");
  auto salt = hex("aabbccdd");
  ValidationBudget more;
  CHECK_FALSE(nsec3_hash(name("example."), 2, 12, salt, more));  // unknown hash algorithm
}
