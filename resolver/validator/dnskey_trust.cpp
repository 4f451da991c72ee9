#include "resolver/validator/dnskey_trust.h"

#include <algorithm>

#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/ds_digest.h"

namespace tern::validator {
namespace {

// Verifies the DNSKEY RRset with the keys of `trusted` (a subset of the RRset itself).
RrsetVerdict self_signed(const wire::RRset& dnskeys, const wire::RRset& rrsigs,
                         const wire::RRset& trusted, uint32_t now, ValidationBudget& budget) {
  if (trusted.empty()) return {ValidationResult::bogus(Reason::DnskeyMissing), std::nullopt, 0, 0};
  return verify_rrset(dnskeys, rrsigs, trusted, dnskeys.owner, now, budget);
}

}  // namespace

RrsetVerdict validate_dnskeys_with_ds(const wire::RRset& dnskeys, const wire::RRset& rrsigs,
                                      const wire::RRset& ds, uint32_t now,
                                      ValidationBudget& budget) {
  if (!(ds.owner == dnskeys.owner)) return {ValidationResult::bogus(Reason::DnskeyMissing), {}, 0, 0};
  bool any_usable = false, unsupported_alg = false, unsupported_digest = false;
  bool strong_digest = false;
  for (auto d : ds) {
    auto parsed = parse_ds(d);
    if (!parsed) continue;
    if (!algorithm_supported(parsed->algorithm)) {
      unsupported_alg = true;
    } else if (!digest_supported(parsed->digest_type)) {
      unsupported_digest = true;
    } else {
      any_usable = true;
      if (parsed->digest_type != uint8_t(DigestType::Sha1)) strong_digest = true;
    }
  }
  if (!any_usable) {
    if (unsupported_alg) return {ValidationResult::insecure(Reason::UnsupportedAlgorithm), {}, 0, 0};
    if (unsupported_digest) return {ValidationResult::insecure(Reason::UnsupportedDigest), {}, 0, 0};
    return {ValidationResult::bogus(Reason::DnskeyMissing), std::nullopt, 0, 0};
  }
  // The keys some usable DS vouches for.
  wire::RRset trusted(dnskeys.owner, wire::RRType::DNSKEY, dnskeys.rclass, dnskeys.ttl);
  for (auto key : dnskeys) {
    auto parsed = parse_dnskey(key);
    if (!parsed || !parsed->usable_for_zone()) continue;
    for (auto d : ds) {
      auto pd = parse_ds(d);
      if (!pd || (strong_digest && pd->digest_type == uint8_t(DigestType::Sha1))) continue;
      if (ds_matches(dnskeys.owner, key, d) == DsMatch::Match) {
        trusted.add(key);
        break;
      }
    }
  }
  return self_signed(dnskeys, rrsigs, trusted, now, budget);
}

RrsetVerdict validate_dnskeys_with_keys(const wire::RRset& dnskeys, const wire::RRset& rrsigs,
                                        const wire::RRset& anchor_keys, uint32_t now,
                                        ValidationBudget& budget) {
  bool unsupported_only = !anchor_keys.empty();
  wire::RRset trusted(dnskeys.owner, wire::RRType::DNSKEY, dnskeys.rclass, dnskeys.ttl);
  for (auto anchor : anchor_keys) {
    auto parsed = parse_dnskey(anchor);
    if (parsed && algorithm_supported(parsed->algorithm)) unsupported_only = false;
    for (auto key : dnskeys) {
      if (key.size() == anchor.size() && std::equal(key.begin(), key.end(), anchor.begin())) {
        trusted.add(key);
      }
    }
  }
  if (unsupported_only) return {ValidationResult::insecure(Reason::UnsupportedAlgorithm), {}, 0, 0};
  return self_signed(dnskeys, rrsigs, trusted, now, budget);
}

}  // namespace tern::validator
