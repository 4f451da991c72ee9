#include "resolver/server/extended_error.h"

#include <algorithm>

#include "resolver/engine/trace.h"

namespace tern::server {

using engine::Failure;

EdeCode ede_code(Failure f) {
  switch (f) {
    // The servers of the zone could not be reached or did not answer usefully.
    case Failure::AllServersFailed:
    case Failure::ServersDown:
    case Failure::NoUsableServers:
    case Failure::NotAllowed:
    case Failure::Deadline:
    case Failure::PrimingFailed: return EdeCode::NoReachableAuthority;
    case Failure::NetworkError: return EdeCode::NetworkError;
    case Failure::AllServersLame: return EdeCode::NotAuthoritative;
    case Failure::RecentFailure: return EdeCode::CachedError;
    case Failure::DnssecBogus: return EdeCode::DnssecBogus;
    case Failure::DnssecSignatureExpired: return EdeCode::SignatureExpired;
    case Failure::DnssecSignatureNotYetValid: return EdeCode::SignatureNotYetValid;
    case Failure::DnssecDnskeyMissing: return EdeCode::DnskeyMissing;
    case Failure::DnssecRrsigsMissing: return EdeCode::RrsigsMissing;
    case Failure::DnssecNsecMissing: return EdeCode::NsecMissing;
    // Limits, loops and this resolver's own state: nothing in RFC 8914 fits; the EXTRA-TEXT says.
    case Failure::UpstreamBudget:
    case Failure::CnameChainTooLong:
    case Failure::CnameLoop:
    case Failure::ReferralDepth:
    case Failure::GluelessLimit:
    case Failure::SubqueryDepth:
    case Failure::BadRootHints:
    case Failure::Overloaded:
    case Failure::FetchLimit:
    case Failure::Internal: return EdeCode::Other;
  }
  return EdeCode::Other;
}

namespace {

std::string_view what(Failure f) {
  switch (f) {
    case Failure::AllServersFailed: return "no server of the zone answered usefully";
    case Failure::ServersDown: return "every server of the zone is known down";
    case Failure::NoUsableServers: return "no server address to ask";
    case Failure::NotAllowed: return "every server address is outside upstream-allow";
    case Failure::Deadline: return "resolution deadline passed";
    case Failure::PrimingFailed: return "root priming failed";
    case Failure::NetworkError: return "network errors reaching every server of the zone";
    case Failure::AllServersLame: return "every server of the zone lame or REFUSED";
    case Failure::RecentFailure: return "failed moments ago";
    case Failure::DnssecBogus: return "DNSSEC validation failed (bogus)";
    case Failure::DnssecSignatureExpired: return "DNSSEC signature expired";
    case Failure::DnssecSignatureNotYetValid: return "DNSSEC signature not yet valid";
    case Failure::DnssecDnskeyMissing: return "no DNSKEY matches the DS or the signatures";
    case Failure::DnssecRrsigsMissing: return "signed zone sent data without RRSIGs";
    case Failure::DnssecNsecMissing: return "signed zone denied without a valid NSEC/NSEC3 proof";
    case Failure::UpstreamBudget: return "upstream query budget used up";
    case Failure::CnameChainTooLong: return "CNAME chain too long";
    case Failure::CnameLoop: return "CNAME loop";
    case Failure::ReferralDepth: return "too many referrals";
    case Failure::GluelessLimit: return "too many name servers without glue";
    case Failure::SubqueryDepth: return "sub-queries nested too deeply";
    case Failure::BadRootHints: return "root hints unusable";
    case Failure::Overloaded: return "resolver overloaded";
    case Failure::FetchLimit: return "fetch limit for the zone or server reached";
    case Failure::Internal: return "internal error";
  }
  return "failed";
}

}  // namespace

std::string describe(const engine::FailureInfo& why) {
  using engine::cat;
  std::string out = cat("zone ", why.zone.to_text());
  if (why.server) out += cat(", server ", why.server->to_string());
  out += ": ";
  out += what(why.reason);
  out += " (";
  out += engine::to_string(why.reason);
  out += ")";
  return out;
}

std::optional<ExtendedError> extended_error(const engine::Answer& a) {
  if (a.stale) {
    ExtendedError e;
    e.code = a.rcode == wire::Rcode::NXDomain ? EdeCode::StaleNxdomainAnswer : EdeCode::StaleAnswer;
    e.text = "stale data served";
    if (a.why) e.text += engine::cat(" after a failure: ", describe(*a.why));
    return e;
  }
  if (!a.failure) return std::nullopt;
  ExtendedError e;
  const engine::FailureInfo why = a.why ? *a.why : engine::FailureInfo{*a.failure, {}, std::nullopt};
  e.code = ede_code(why.reason);
  e.text = describe(why);
  if (*a.failure == Failure::RecentFailure && why.reason != Failure::RecentFailure)
    e.text += ", cached failure";
  return e;
}

wire::EdnsOption ede_option(const ExtendedError& e, bool with_text) {
  wire::EdnsOption o;
  o.code = wire::kEdnsEde;
  // Sized once, then filled: appending the text after two push_backs makes GCC 12 -O3 warn
  // falsely (-Warray-bounds).
  o.data.resize(2 + (with_text ? e.text.size() : 0));
  o.data[0] = uint8_t(uint16_t(e.code) >> 8);
  o.data[1] = uint8_t(uint16_t(e.code) & 0xff);
  if (with_text) std::copy(e.text.begin(), e.text.end(), o.data.begin() + 2);
  return o;
}

}  // namespace tern::server
