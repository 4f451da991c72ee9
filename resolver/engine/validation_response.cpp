#include "resolver/engine/validation_response.h"

#include <algorithm>

#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/nsec3_proof.h"
#include "resolver/validator/nsec_proof.h"
#include "resolver/validator/rrset_verify.h"

namespace tern::engine {

using validator::Reason;
using validator::Security;
using wire::RRType;

namespace {

int badness(Security s) {
  switch (s) {
    case Security::Secure: return 0;
    case Security::Insecure: return 1;
    case Security::Indeterminate: return 2;
    case Security::Bogus: return 3;
  }
  return 3;
}

// The sets of a response that carry data of their own (a CNAME made from a DNAME is ours).
template <class F>
void for_each_signed_set(Classified& c, F&& f) {
  for (size_t i = 0; i < c.chain.size(); ++i) {
    bool synthesised = i > 0 && c.chain[i - 1].type == RRType::DNAME;
    if (!synthesised) f(c.chain[i]);
  }
  for (auto& a : c.answer) f(a);
  if (c.soa) f(*c.soa);
  for (auto& p : c.proof) f(p);
}

}  // namespace

Security worst(Security a, Security b) { return badness(a) >= badness(b) ? a : b; }

void ResponseVerdict::add(Security s, Reason r) {
  if (badness(s) > badness(security)) {
    security = s;
    reason = r;
  }
}

wire::Name signing_zone(const wire::RRset& rrset, const wire::Name& server_zone) {
  if (rrset.rrsigs) {
    for (auto rdata : *rrset.rrsigs) {
      auto sig = validator::parse_rrsig(rdata);
      if (!sig || !rrset.owner.is_subdomain_of(sig->signer)) continue;
      // A DS is signed by the parent: a DS "signed" by its own zone would send the key fetch in
      // a circle.
      if (rrset.type == RRType::DS && sig->signer == rrset.owner) continue;
      return sig->signer;
    }
  }
  return server_zone;
}

std::vector<wire::Name> zones_needed(const Classified& c, const wire::Name& server_zone) {
  std::vector<wire::Name> zones;
  auto& cc = const_cast<Classified&>(c);  // for_each_signed_set only reads here
  for_each_signed_set(cc, [&](const wire::RRset& s) {
    auto z = signing_zone(s, server_zone);
    if (std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  });
  if (zones.empty()) zones.push_back(server_zone);
  return zones;
}

namespace {

struct Checked {
  Security security = Security::Indeterminate;
  Reason reason = Reason::None;
  std::optional<wire::Name> wildcard;
  wire::Name zone;
};

Checked check_set(wire::RRset& s, const ResponseContext& ctx,
                  const std::function<const ZoneKeys*(const wire::Name&)>& keys,
                  validator::ValidationBudget& budget) {
  Checked out;
  out.zone = signing_zone(s, ctx.server_zone);
  const ZoneKeys* zk = keys(out.zone);
  if (!zk) {
    out.security = Security::Indeterminate;
  } else if (zk->security != Security::Secure) {
    out.security = zk->security;
    out.reason = zk->reason;
  } else if (!s.rrsigs || s.rrsigs->empty()) {
    out.security = Security::Bogus;
    out.reason = Reason::RrsigsMissing;
  } else {
    auto v = validator::verify_rrset(s, *s.rrsigs, zk->dnskeys, out.zone, ctx.now, budget);
    out.security = v.result.security;
    out.reason = v.result.reason;
    if (out.security == Security::Secure) {
      s.ttl = std::min(s.ttl, v.ttl);
      out.wildcard = v.wildcard;
    }
  }
  s.security = out.security;
  if (out.security == Security::Bogus) s.ttl = std::min(s.ttl, ctx.bogus_ttl);
  return out;
}

}  // namespace

ResponseVerdict validate_response(Classified& c, const ResponseContext& ctx,
                                  const std::function<const ZoneKeys*(const wire::Name&)>& keys,
                                  validator::ValidationBudget& budget) {
  ResponseVerdict verdict;
  // The proof records first: only those that verify may prove anything.
  std::vector<wire::RRset> nsecs, nsec3s;
  for (auto& p : c.proof) {
    auto r = check_set(p, ctx, keys, budget);
    if (r.security == Security::Secure) (p.type == RRType::NSEC ? nsecs : nsec3s).push_back(p);
  }
  auto prove_wildcard = [&](const wire::RRset& s, const wire::Name& wildcard,
                            const wire::Name& zone) -> validator::DenialResult {
    if (!nsecs.empty()) return validator::nsec_prove_wildcard_answer(s.owner, wildcard, nsecs);
    if (!nsec3s.empty())
      return validator::nsec3_prove_wildcard_answer(s.owner, wildcard, zone, nsec3s, budget);
    return {validator::ValidationResult::bogus(Reason::NsecMissing), std::nullopt, false};
  };
  auto data = [&](wire::RRset& s) {
    auto r = check_set(s, ctx, keys, budget);
    if (r.security == Security::Secure && r.wildcard) {
      // RFC 4035 §5.3.4: an answer expanded from a wildcard is secure only with the proof that
      // no closer name exists.
      auto d = prove_wildcard(s, *r.wildcard, r.zone);
      if (d.result.security != Security::Secure) {
        s.security = d.result.security;
        r.security = d.result.security;
        r.reason = d.result.reason;
        if (s.security == Security::Bogus) s.ttl = std::min(s.ttl, ctx.bogus_ttl);
      }
    }
    verdict.add(r.security, r.reason);
  };
  for (size_t i = 0; i < c.chain.size(); ++i) {
    bool synthesised = i > 0 && c.chain[i - 1].type == RRType::DNAME;
    if (synthesised) {
      // Ours, from the DNAME before it: as good as that DNAME.
      c.chain[i].security = c.chain[i - 1].security;
      continue;
    }
    data(c.chain[i]);
  }
  for (auto& a : c.answer) data(a);

  const bool negative = c.kind == ResponseKind::NxDomain || c.kind == ResponseKind::NoData;
  if (!negative) return verdict;
  // The denial: the SOA's zone signs it.
  wire::Name zone = c.soa ? signing_zone(*c.soa, ctx.server_zone) : ctx.server_zone;
  const ZoneKeys* zk = keys(zone);
  Security soa_status = Security::Indeterminate;
  Reason soa_reason = Reason::None;
  if (c.soa) {
    auto r = check_set(*c.soa, ctx, keys, budget);
    soa_status = r.security;
    soa_reason = r.reason;
  }
  if (!zk || zk->security != Security::Secure) {
    Security s = zk ? zk->security : Security::Indeterminate;
    verdict.add(s, zk ? zk->reason : Reason::None);
    if (c.soa) c.soa->security = worst(c.soa->security, s);
    return verdict;
  }
  validator::DenialResult d;
  const wire::Name& name = c.final_name;
  if (c.kind == ResponseKind::NxDomain) {
    if (!nsecs.empty())
      d = validator::nsec_prove_nxdomain(name, nsecs);
    else if (!nsec3s.empty())
      d = validator::nsec3_prove_nxdomain(name, zone, nsec3s, budget);
    else
      d.result = validator::ValidationResult::bogus(Reason::NsecMissing);
    // An NXDOMAIN proven across an opt-out span may hide an unsigned delegation: no AD.
    if (d.result.security == Security::Secure && d.opt_out)
      d.result = validator::ValidationResult::insecure(Reason::OptOut);
  } else {
    if (!nsecs.empty())
      d = validator::nsec_prove_nodata(name, ctx.qtype, nsecs);
    else if (!nsec3s.empty())
      d = validator::nsec3_prove_nodata(name, ctx.qtype, zone, nsec3s, budget);
    else
      d.result = validator::ValidationResult::bogus(Reason::NsecMissing);
  }
  verdict.add(soa_status, soa_reason);
  verdict.add(d.result.security, d.result.reason);
  if (c.soa) {
    c.soa->security = worst(soa_status, d.result.security);
    if (c.soa->security == Security::Bogus) c.soa->ttl = std::min(c.soa->ttl, ctx.bogus_ttl);
  }
  return verdict;
}

Failure bogus_failure(Reason r) {
  switch (r) {
    case Reason::SignatureExpired: return Failure::DnssecSignatureExpired;
    case Reason::SignatureNotYetValid: return Failure::DnssecSignatureNotYetValid;
    case Reason::DnskeyMissing: return Failure::DnssecDnskeyMissing;
    case Reason::RrsigsMissing: return Failure::DnssecRrsigsMissing;
    case Reason::NsecMissing: return Failure::DnssecNsecMissing;
    default: return Failure::DnssecBogus;
  }
}

}  // namespace tern::engine
