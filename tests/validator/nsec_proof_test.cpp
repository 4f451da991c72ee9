// NSEC proofs over the RFC 4035 Appendix A zone, with the responses of Appendix B.
#include <catch2/catch.hpp>

#include <string>

#include "resolver/validator/nsec_proof.h"
#include "test_records.h"

using namespace tern;
using namespace tern::validator;
using namespace tern::validator::test;

namespace {

const char* kChain[] = {
    "example. 3600 IN NSEC a.example. NS SOA MX RRSIG NSEC DNSKEY",
    "a.example. 3600 IN NSEC ai.example. NS DS RRSIG NSEC",
    "ai.example. 3600 IN NSEC b.example. A HINFO AAAA RRSIG NSEC",
    "b.example. 3600 IN NSEC ns1.example. NS RRSIG NSEC",
    "ns1.example. 3600 IN NSEC ns2.example. A RRSIG NSEC",
    "ns2.example. 3600 IN NSEC *.w.example. A RRSIG NSEC",
    "*.w.example. 3600 IN NSEC x.w.example. MX RRSIG NSEC",
    "x.w.example. 3600 IN NSEC x.y.w.example. MX RRSIG NSEC",
    "x.y.w.example. 3600 IN NSEC xx.example. MX RRSIG NSEC",
    "xx.example. 3600 IN NSEC example. A HINFO AAAA RRSIG NSEC",
};

std::vector<wire::RRset> pick(std::initializer_list<std::string_view> owners) {
  std::vector<wire::RRset> out;
  for (auto o : owners) {
    for (const char* rec : kChain) {
      if (std::string_view(rec).starts_with(std::string(o) + " ")) out.push_back(rrset({rec}));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("B.2 name error: ml.example", "[nsec_proof]") {
  auto r = nsec_prove_nxdomain(name("ml.example."), pick({"b.example.", "example."}));
  CHECK(r.result == ValidationResult::secure());
  CHECK(*r.closest_encloser == name("example."));
  CHECK(nsec_prove_nxdomain(name("ml.example."), pick({"b.example."})).result ==
        ValidationResult::bogus(Reason::NsecMissing));
  CHECK(nsec_prove_nxdomain(name("ml.example."), pick({"example."})).result ==
        ValidationResult::bogus(Reason::NsecMissing));
  // Wrap-around: after the last name, up to the apex.
  CHECK(nsec_prove_nxdomain(name("z.example."), pick({"xx.example.", "example."})).result ==
        ValidationResult::secure());
}

TEST_CASE("B.3 no data: ns1.example MX", "[nsec_proof]") {
  auto proof = pick({"ns1.example."});
  CHECK(nsec_prove_nodata(name("ns1.example."), wire::RRType::MX, proof).result == ValidationResult::secure());
  CHECK(nsec_prove_nodata(name("ns1.example."), wire::RRType::A, proof).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  CHECK(nsec_prove_nxdomain(name("ns1.example."), proof).result == ValidationResult::bogus(Reason::ProofInvalid));
}

TEST_CASE("B.4 / B.5 referrals: a.example signed, b.example unsigned", "[nsec_proof]") {
  CHECK(nsec_prove_insecure_delegation(name("a.example."), pick({"a.example."})).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  CHECK(nsec_prove_insecure_delegation(name("b.example."), pick({"b.example."})).result ==
        ValidationResult::insecure(Reason::ProvenInsecure));
  // The parent-side NSEC speaks for DS only, not for the child's data.
  CHECK(nsec_prove_nodata(name("b.example."), wire::RRType::DS, pick({"b.example."})).result ==
        ValidationResult::secure());
  CHECK(nsec_prove_nodata(name("b.example."), wire::RRType::A, pick({"b.example."})).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  // And it proves nothing about names below the delegation.
  CHECK(nsec_prove_nxdomain(name("c.b.example."), pick({"b.example.", "example."})).result ==
        ValidationResult::bogus(Reason::NsecMissing));
}

TEST_CASE("B.6 wildcard expansion: a.z.w.example from *.w.example", "[nsec_proof]") {
  auto proof = pick({"x.y.w.example."});
  auto r = nsec_prove_wildcard_answer(name("a.z.w.example."), name("*.w.example."), proof);
  CHECK(r.result == ValidationResult::secure());
  // Claiming the wider wildcard *.example: w.example is closer, so that cannot be the source.
  CHECK(nsec_prove_wildcard_answer(name("a.z.w.example."), name("*.example."), proof).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  CHECK(nsec_prove_wildcard_answer(name("a.z.w.example."), name("*.w.example."), pick({"ns1.example."})).result ==
        ValidationResult::bogus(Reason::NsecMissing));
}

TEST_CASE("B.7 wildcard no data: a.z.w.example AAAA", "[nsec_proof]") {
  auto proof = pick({"x.y.w.example.", "*.w.example."});
  auto r = nsec_prove_nodata(name("a.z.w.example."), wire::RRType::AAAA, proof);
  CHECK(r.result == ValidationResult::secure());
  CHECK(*r.closest_encloser == name("w.example."));
  CHECK(nsec_prove_nodata(name("a.z.w.example."), wire::RRType::MX, proof).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  CHECK(nsec_prove_nodata(name("a.z.w.example."), wire::RRType::AAAA, pick({"x.y.w.example."})).result ==
        ValidationResult::bogus(Reason::NsecMissing));
  // The wildcard exists, so the name could have been synthesised: no NXDOMAIN.
  CHECK(nsec_prove_nxdomain(name("a.z.w.example."), proof).result == ValidationResult::bogus(Reason::ProofInvalid));
}

TEST_CASE("B.8 DS at the child apex; empty non-terminal", "[nsec_proof]") {
  // The apex NSEC comes from the child: it cannot deny the parent's DS (RFC 6840 §4.4).
  CHECK(nsec_prove_nodata(name("example."), wire::RRType::DS, pick({"example."})).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
  CHECK(nsec_prove_nodata(name("example."), wire::RRType::A, pick({"example."})).result ==
        ValidationResult::secure());
  // y.w.example exists only because x.y.w.example does: NODATA, never NXDOMAIN.
  CHECK(nsec_prove_nodata(name("y.w.example."), wire::RRType::A, pick({"x.w.example."})).result ==
        ValidationResult::secure());
  CHECK(nsec_prove_nxdomain(name("y.w.example."), pick({"x.w.example.", "example."})).result ==
        ValidationResult::bogus(Reason::ProofInvalid));
}
