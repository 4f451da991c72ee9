#include "resolver/validator/rrset_verify.h"

#include "resolver/validator/canonical.h"
#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/key_tag.h"
#include "resolver/validator/rrsig_check.h"
#include "resolver/validator/signature_verify.h"

namespace tern::validator {
namespace {

// Which failure to report when no RRSIG verified: the most specific thing that went wrong.
// A signature that failed cryptographically outranks timing, which outranks a missing key.
struct Failures {
  bool invalid = false, expired = false, not_yet = false, no_key = false, bad = false;
  bool unsupported = false;
  ValidationResult result() const {
    if (invalid) return ValidationResult::bogus(Reason::SignatureInvalid);
    if (expired) return ValidationResult::bogus(Reason::SignatureExpired);
    if (not_yet) return ValidationResult::bogus(Reason::SignatureNotYetValid);
    if (no_key) return ValidationResult::bogus(Reason::DnskeyMissing);
    if (unsupported) return ValidationResult::bogus(Reason::UnsupportedAlgorithm);
    if (bad) return ValidationResult::bogus(Reason::BadRrsig);
    return ValidationResult::bogus(Reason::RrsigsMissing);
  }
};

}  // namespace

RrsetVerdict verify_rrset(const wire::RRset& rrset, const wire::RRset& rrsigs,
                          const wire::RRset& dnskeys, const wire::Name& zone, uint32_t now,
                          ValidationBudget& budget) {
  Failures why;
  // The RRSIGs must sit at the RRset's owner in its class, the keys at the zone apex.
  if (!(rrsigs.owner == rrset.owner) || rrsigs.rclass != rrset.rclass) return {why.result(), {}, 0, 0};
  if (!(dnskeys.owner == zone)) why.no_key = true;
  size_t considered = 0;
  for (auto sig_rdata : rrsigs) {
    auto sig = parse_rrsig(sig_rdata);
    if (sig && sig->type_covered != rrset.type) continue;
    if (++considered > kMaxRrsigsPerRrset) break;
    if (!sig) {
      why.bad = true;
      continue;
    }
    auto applies = check_rrsig_applies(rrset, *sig, zone);
    if (!applies) {
      why.bad = true;
      continue;
    }
    if (!algorithm_supported(sig->algorithm)) {
      why.unsupported = true;
      continue;
    }
    switch (check_validity_window(*sig, now)) {
      case TimeCheck::Expired: why.expired = true; continue;
      case TimeCheck::NotYetValid: why.not_yet = true; continue;
      case TimeCheck::Valid: break;
    }
    std::optional<std::vector<uint8_t>> data;
    bool key_found = false;
    for (auto key_rdata : dnskeys) {
      if (!(dnskeys.owner == zone)) break;
      auto key = parse_dnskey(key_rdata);
      if (!key || !key->usable_for_zone() || key->algorithm != sig->algorithm ||
          key_tag(key_rdata) != sig->key_tag) {
        continue;
      }
      key_found = true;
      if (!data) data = signed_data(rrset, *sig);
      if (!data) break;
      if (!budget.take_signature()) {
        return {ValidationResult::bogus(Reason::BudgetExhausted), std::nullopt, 0, 0};
      }
      switch (verify_signature(sig->algorithm, key->public_key, *data, sig->signature)) {
        case SignatureCheck::Valid:
          return {ValidationResult::secure(), applies->wildcard, capped_ttl(rrset.ttl, *sig, now),
                  sig->key_tag};
        case SignatureCheck::UnsupportedAlgorithm: why.unsupported = true; break;
        case SignatureCheck::BadKey:
        case SignatureCheck::Invalid: why.invalid = true; break;
      }
    }
    if (!key_found) why.no_key = true;
  }
  return {why.result(), std::nullopt, 0, 0};
}

}  // namespace tern::validator
