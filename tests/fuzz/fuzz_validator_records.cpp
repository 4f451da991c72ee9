// fuzz-libs: tern_validator
// Property: hostile DNSSEC RDATA (RRSIG, DNSKEY, NSEC, NSEC3) never crashes the validator's
// parsers, signature checks or denial proofs, and no call spends more than its budget: at most
// kMaxSignatureValidationsPerQuery verifications and kMaxNsec3HashesPerQuery hashes per input,
// and an RRset is Secure only when a verification was actually spent on it.
// Input: records as [role u8][length u8][bytes], role picking what the bytes become.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "resolver/validator/dnskey_trust.h"
#include "resolver/validator/nsec3_proof.h"
#include "resolver/validator/nsec_proof.h"
#include "resolver/validator/rrset_verify.h"

using namespace tern;
using namespace tern::validator;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

wire::Name name(const char* text) { return *wire::Name::from_text(text); }

// Owners for NSEC3 records: the hashed names of the RFC 5155 Appendix A zone.
const char* kHashes[] = {"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
                         "35mthgpgcu1qg68fab165klnsnk3dpvl", "b4um86eghhds6nea196smvmlo4ors995",
                         "k8udemvp1j2f7eg6jebps17vp3n8i58h", "q04jkcevqvmu85r014c7dkba38o0ji5r"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  wire::Name zone = name("example.");
  wire::Name owner = name("a.b.example.");
  wire::RRset rrset(owner, wire::RRType::A, wire::RRClass::IN, 300);
  rrset.add(std::vector<uint8_t>{192, 0, 2, 1});
  wire::RRset rrsigs(owner, wire::RRType::RRSIG, wire::RRClass::IN, 300);
  wire::RRset dnskeys(zone, wire::RRType::DNSKEY, wire::RRClass::IN, 300);
  wire::RRset dnskey_sigs(zone, wire::RRType::RRSIG, wire::RRClass::IN, 300);
  std::vector<wire::RRset> nsecs, nsec3s;
  wire::Name qname = name("x.a.b.example.");
  uint32_t now = 1700000000;
  size_t pos = 0;
  while (pos + 2 <= in.size()) {
    uint8_t role = in[pos], len = in[pos + 1];
    pos += 2;
    if (pos + len > in.size()) break;
    auto bytes = in.subspan(pos, len);
    pos += len;
    switch (role % 7) {
      case 0: rrsigs.add(bytes); break;
      case 1: dnskeys.add(bytes); break;
      case 2: dnskey_sigs.add(bytes); break;
      case 3: {
        // NSEC at a name taken from the first bytes (wire form), RDATA the rest.
        size_t n = bytes.empty() ? 0 : size_t(bytes[0]) % (bytes.size());
        auto o = wire::Name::from_wire(bytes.subspan(bytes.empty() ? 0 : 1, n));
        wire::RRset set(o ? *o : zone, wire::RRType::NSEC, wire::RRClass::IN, 300);
        set.add(bytes.subspan(bytes.empty() ? 0 : 1 + n));
        nsecs.push_back(set);
        break;
      }
      case 4: {
        auto o = zone.prepend(kHashes[bytes.empty() ? 0 : bytes[0] % 6]);
        wire::RRset set(*o, wire::RRType::NSEC3, wire::RRClass::IN, 300);
        set.add(bytes.subspan(bytes.empty() ? 0 : 1));
        nsec3s.push_back(set);
        break;
      }
      case 5:
        if (auto q = wire::Name::from_wire(bytes); q && q->is_subdomain_of(zone)) qname = *q;
        break;
      case 6:
        if (len >= 4) now = uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | bytes[2] << 8 | bytes[3];
        break;
    }
    if (nsecs.size() + nsec3s.size() > 64) break;
  }

  ValidationBudget budget;
  auto v = verify_rrset(rrset, rrsigs, dnskeys, zone, now, budget);
  check(!v.result.is_secure() || budget.signatures_left() < kMaxSignatureValidationsPerQuery);
  auto k = validate_dnskeys_with_keys(dnskeys, dnskey_sigs, dnskeys, now, budget);
  (void)k;
  if (v.wildcard) {
    (void)nsec_prove_wildcard_answer(owner, *v.wildcard, nsecs);
    (void)nsec3_prove_wildcard_answer(owner, *v.wildcard, zone, nsec3s, budget);
  }
  (void)nsec_prove_nxdomain(qname, nsecs);
  (void)nsec_prove_nodata(qname, wire::RRType::AAAA, nsecs);
  (void)nsec_prove_nodata(qname, wire::RRType::DS, nsecs);
  (void)nsec_prove_insecure_delegation(qname, nsecs);
  (void)nsec3_prove_nxdomain(qname, zone, nsec3s, budget);
  (void)nsec3_prove_nodata(qname, wire::RRType::AAAA, zone, nsec3s, budget);
  (void)nsec3_prove_nodata(qname, wire::RRType::DS, zone, nsec3s, budget);
  (void)nsec3_prove_insecure_delegation(qname, zone, nsec3s, budget);
  (void)nsec3_closest_encloser(qname, zone, nsec3s, budget);
  check(budget.signatures_left() <= kMaxSignatureValidationsPerQuery);
  check(budget.nsec3_hashes_left() <= kMaxNsec3HashesPerQuery);
  return 0;
}
