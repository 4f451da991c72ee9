#include "resolver/validator/rrsig_check.h"

#include <algorithm>

#include "resolver/validator/canonical.h"

namespace tern::validator {

bool serial_before(uint32_t a, uint32_t b) {
  // RFC 1982 §3.2: a < b when (a < b and b - a < 2^31) or (a > b and a - b > 2^31).
  return a != b && uint32_t(b - a) < 0x80000000u;
}

TimeCheck check_validity_window(const RrsigData& rrsig, uint32_t now, uint32_t skew) {
  // now + skew before inception: the signature is not valid yet; now - skew after expiration:
  // it has expired. Both in serial arithmetic, so wrap-around in 2106 behaves.
  if (serial_before(now + skew, rrsig.inception)) return TimeCheck::NotYetValid;
  if (serial_before(rrsig.expiration, now - skew)) return TimeCheck::Expired;
  return TimeCheck::Valid;
}

std::optional<RrsigMatch> check_rrsig_applies(const wire::RRset& rrset, const RrsigData& rrsig,
                                              const wire::Name& zone) {
  if (rrsig.type_covered != rrset.type) return std::nullopt;
  if (!(rrsig.signer == zone) || !rrset.owner.is_subdomain_of(zone)) return std::nullopt;
  auto owner = signed_owner(rrset.owner, rrsig.labels);
  if (!owner) return std::nullopt;
  RrsigMatch m;
  if (!(*owner == rrset.owner.lowercased())) m.wildcard = *owner;
  return m;
}

uint32_t capped_ttl(uint32_t received_ttl, const RrsigData& rrsig, uint32_t now) {
  uint32_t ttl = std::min(received_ttl, rrsig.original_ttl);
  uint32_t left = serial_before(now, rrsig.expiration) ? rrsig.expiration - now : 0;
  return std::min(ttl, left);
}

}  // namespace tern::validator
