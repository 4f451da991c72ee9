// NSEC3 proofs over the RFC 5155 Appendix A zone, with the responses of Appendix B.
#include <catch2/catch.hpp>

#include <string>

#include "resolver/validator/nsec3_proof.h"
#include "test_records.h"

using namespace tern;
using namespace tern::validator;
using namespace tern::validator::test;

namespace {

// The NSEC3 chain of Appendix A (every record has the opt-out flag set, as in the RFC).
const char* kChain[] = {
    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. 3600 IN NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM",
    "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. 3600 IN NSEC3 1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
    "2vptu5timamqttgl4luu9kg21e0aor3s.example. 3600 IN NSEC3 1 1 12 aabbccdd 35mthgpgcu1qg68fab165klnsnk3dpvl MX RRSIG",
    "35mthgpgcu1qg68fab165klnsnk3dpvl.example. 3600 IN NSEC3 1 1 12 aabbccdd b4um86eghhds6nea196smvmlo4ors995 NS DS RRSIG",
    "b4um86eghhds6nea196smvmlo4ors995.example. 3600 IN NSEC3 1 1 12 aabbccdd gjeqe526plbf1g8mklp59enfd789njgi MX RRSIG",
    "gjeqe526plbf1g8mklp59enfd789njgi.example. 3600 IN NSEC3 1 1 12 aabbccdd ji6neoaepv8b5o6k4ev33abha8ht9fgc A HINFO AAAA RRSIG",
    "ji6neoaepv8b5o6k4ev33abha8ht9fgc.example. 3600 IN NSEC3 1 1 12 aabbccdd k8udemvp1j2f7eg6jebps17vp3n8i58h",
    "k8udemvp1j2f7eg6jebps17vp3n8i58h.example. 3600 IN NSEC3 1 1 12 aabbccdd kohar7mbb8dc2ce8a9qvl8hon4k53uhi",
    "kohar7mbb8dc2ce8a9qvl8hon4k53uhi.example. 3600 IN NSEC3 1 1 12 aabbccdd q04jkcevqvmu85r014c7dkba38o0ji5r A RRSIG",
    "q04jkcevqvmu85r014c7dkba38o0ji5r.example. 3600 IN NSEC3 1 1 12 aabbccdd r53bq7cc2uvmubfu5ocmm6pers9tk9en A RRSIG",
    "r53bq7cc2uvmubfu5ocmm6pers9tk9en.example. 3600 IN NSEC3 1 1 12 aabbccdd t644ebqk9bibcna874givr6joj62mlhv MX RRSIG",
    "t644ebqk9bibcna874givr6joj62mlhv.example. 3600 IN NSEC3 1 1 12 aabbccdd 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A HINFO AAAA RRSIG",
};

// The records of the chain whose owner starts with one of `prefixes`; `flags` replaces the
// opt-out field when given (to test the same response without opt-out).
std::vector<wire::RRset> pick(std::initializer_list<std::string_view> prefixes, int flags = -1) {
  std::vector<wire::RRset> out;
  for (auto p : prefixes) {
    for (const char* rec : kChain) {
      std::string text(rec);
      if (!text.starts_with(p)) continue;
      if (flags >= 0) text.replace(text.find(" 1 1 12 "), 8, " 1 " + std::to_string(flags) + " 12 ");
      out.push_back(rrset({text}));
    }
  }
  return out;
}

const wire::Name kZone = name("example.");

}  // namespace

TEST_CASE("B.1 name error: a.c.x.w.example", "[nsec3_proof]") {
  auto proof = pick({"0p9m", "b4um", "35mt"});
  ValidationBudget b;
  auto r = nsec3_prove_nxdomain(name("a.c.x.w.example."), kZone, proof, b);
  CHECK(r.result == ValidationResult::secure());
  REQUIRE(r.closest_encloser);
  CHECK(*r.closest_encloser == name("x.w.example."));
  // The Appendix A records all carry opt-out: the caller learns an unsigned delegation could hide
  // there; without the flag the same proof is a plain NXDOMAIN.
  CHECK(r.opt_out);
  ValidationBudget b0;
  auto plain = nsec3_prove_nxdomain(name("a.c.x.w.example."), kZone, pick({"0p9m", "b4um", "35mt"}, 0), b0);
  CHECK(plain.result == ValidationResult::secure());
  CHECK_FALSE(plain.opt_out);
  // Without the record covering the wildcard *.x.w.example (35mt), or the next closer (0p9m).
  ValidationBudget b2;
  CHECK(nsec3_prove_nxdomain(name("a.c.x.w.example."), kZone, pick({"0p9m", "b4um"}), b2).result ==
        ValidationResult::bogus(Reason::NsecMissing));
  CHECK(nsec3_prove_nxdomain(name("a.c.x.w.example."), kZone, pick({"b4um", "35mt"}), b2).result ==
        ValidationResult::bogus(Reason::NsecMissing));
  // An existing name cannot be denied.
  CHECK(nsec3_prove_nxdomain(name("x.w.example."), kZone, proof, b2).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
}

TEST_CASE("B.2 no data: ns1.example MX; B.2.1 empty non-terminal y.w.example A", "[nsec3_proof]") {
  ValidationBudget b;
  CHECK(nsec3_prove_nodata(name("ns1.example."), wire::RRType::MX, kZone, pick({"2t7b"}), b).result ==
        ValidationResult::secure());
  CHECK(nsec3_prove_nodata(name("ns1.example."), wire::RRType::A, kZone, pick({"2t7b"}), b).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  CHECK(nsec3_prove_nodata(name("y.w.example."), wire::RRType::A, kZone, pick({"ji6n"}), b).result ==
        ValidationResult::secure());
}

TEST_CASE("B.3 referral to an opt-out unsigned zone: c.example", "[nsec3_proof]") {
  auto proof = pick({"0p9m", "35mt"});
  ValidationBudget b;
  auto r = nsec3_prove_insecure_delegation(name("c.example."), kZone, proof, b);
  CHECK(r.result == ValidationResult::insecure(Reason::OptOut));
  CHECK(r.opt_out);
  CHECK(*r.closest_encloser == kZone);
  // The same span without opt-out proves nothing about an unsigned delegation.
  CHECK(nsec3_prove_insecure_delegation(name("c.example."), kZone, pick({"0p9m", "35mt"}, 0), b).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  // No DS at c.example: only opt-out allows it (§8.6).
  CHECK(nsec3_prove_nodata(name("c.example."), wire::RRType::DS, kZone, proof, b).result ==
        ValidationResult::insecure(Reason::OptOut));
  // a.example has a DS: its record cannot prove an insecure delegation.
  CHECK(nsec3_prove_insecure_delegation(name("a.example."), kZone, pick({"35mt"}), b).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
}

TEST_CASE("B.4 wildcard expansion: a.z.w.example from *.w.example", "[nsec3_proof]") {
  ValidationBudget b;
  auto r = nsec3_prove_wildcard_answer(name("a.z.w.example."), name("*.w.example."), kZone,
                                       pick({"q04j"}), b);
  CHECK(r.result == ValidationResult::secure());
  CHECK(*r.closest_encloser == name("w.example."));
  // Without the record covering the next closer name z.w.example.
  CHECK(nsec3_prove_wildcard_answer(name("a.z.w.example."), name("*.w.example."), kZone,
                                    pick({"k8ud"}), b).result == ValidationResult::bogus(Reason::NsecMissing));
}

TEST_CASE("B.5 wildcard no data: a.z.w.example AAAA", "[nsec3_proof]") {
  auto proof = pick({"k8ud", "q04j", "r53b"});
  ValidationBudget b;
  auto r = nsec3_prove_nodata(name("a.z.w.example."), wire::RRType::AAAA, kZone, proof, b);
  CHECK(r.result == ValidationResult::secure());
  CHECK(*r.closest_encloser == name("w.example."));
  // The wildcard has MX, so MX cannot be denied.
  CHECK(nsec3_prove_nodata(name("a.z.w.example."), wire::RRType::MX, kZone, proof, b).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
}

TEST_CASE("B.6 DS child zone no data: example DS", "[nsec3_proof]") {
  // The appendix shows the child's server answering for its own apex. A validator asks the
  // parent for DS; a record with SOA comes from the child and cannot deny the parent's DS (the
  // check Unbound makes), while it still denies other types at the apex.
  ValidationBudget b;
  CHECK(nsec3_prove_nodata(kZone, wire::RRType::DS, kZone, pick({"0p9m"}), b).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  CHECK(nsec3_prove_nodata(kZone, wire::RRType::A, kZone, pick({"0p9m"}), b).result ==
        ValidationResult::secure());
}

TEST_CASE("NSEC3 iterations above the limit are insecure (RFC 9276)", "[nsec3_proof]") {
  auto text = std::string(kChain[1]);
  text.replace(text.find(" 12 "), 4, " 151 ");
  std::vector<wire::RRset> proof = {rrset({text})};
  ValidationBudget b;
  auto r = nsec3_prove_nodata(name("ns1.example."), wire::RRType::MX, kZone, proof, b);
  CHECK(r.result == ValidationResult::insecure(Reason::Nsec3IterationsTooHigh));
  CHECK(b.nsec3_hashes_left() == kMaxNsec3HashesPerQuery);  // decided before hashing
}

TEST_CASE("NSEC3 hash budget bounds a deep name (CVE-2023-50868)", "[nsec3_proof]") {
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "a.";
  deep += "example.";
  ValidationBudget b(0, 10);
  CHECK(nsec3_prove_nxdomain(name(deep), kZone, pick({"0p9m", "b4um", "35mt"}), b).result ==
        ValidationResult::bogus(Reason::BudgetExhausted));
  CHECK(b.nsec3_hashes_left() == 0);
}

TEST_CASE("unusable NSEC3 records are ignored", "[nsec3_proof]") {
  ValidationBudget b;
  // Unknown flag bits (§8.2).
  CHECK(nsec3_prove_nodata(name("ns1.example."), wire::RRType::MX, kZone, pick({"2t7b"}, 2), b).result ==
        ValidationResult::bogus(Reason::NsecMissing));
  // Records of another zone.
  CHECK(nsec3_prove_nodata(name("ns1.example."), wire::RRType::MX, name("other."), pick({"2t7b"}), b).result ==
        ValidationResult::bogus(Reason::NsecMissing));
}
