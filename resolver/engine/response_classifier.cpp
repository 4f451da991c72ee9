// Classification follows Unbound's response_type_from_server() and RFC 1034 §5.3.3, with the
// bailiwick rule applied first: a record whose owner is outside the zone the server was asked as
// is never looked at, whatever section it is in (RFC 2181 §5.4.1, "Kaminsky" defence).
#include "resolver/engine/response_classifier.h"

#include <algorithm>

#include "resolver/engine/delegation.h"
#include "wire/rdata.h"

namespace tern::engine {

std::string_view to_string(ResponseKind k) {
  switch (k) {
    case ResponseKind::Answer: return "answer";
    case ResponseKind::PartialChain: return "partial-chain";
    case ResponseKind::NxDomain: return "nxdomain";
    case ResponseKind::NoData: return "nodata";
    case ResponseKind::YxDomain: return "yxdomain";
    case ResponseKind::Referral: return "referral";
    case ResponseKind::Lame: return "lame";
    case ResponseKind::Refused: return "refused";
    case ResponseKind::ServerFailure: return "server-failure";
    case ResponseKind::FormErr: return "formerr";
    case ResponseKind::Malformed: return "malformed";
  }
  return "unknown";
}

namespace {

using wire::RRset;
using wire::RRType;

// Generous bound on CNAME hops inside one response; the per-question limit is enforced by the
// iterator over the whole chain.
constexpr int kMaxHopsInResponse = 32;

bool contains_name(const std::vector<wire::Name>& names, const wire::Name& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

}  // namespace

std::optional<RRset> synthesise_cname(const RRset& dname, const wire::Name& name) {
  if (dname.empty() || !name.is_subdomain_of(dname.owner) || name == dname.owner) return std::nullopt;
  auto target = wire::rdata_target(RRType::DNAME, *dname.begin());
  if (!target) return std::nullopt;
  wire::Name out = *target;
  size_t keep = name.label_count() - dname.owner.label_count();
  for (size_t i = keep; i-- > 0;) {
    auto next = out.prepend(name.label(i));
    if (!next) return std::nullopt;  // RFC 6672 §2.2: YXDOMAIN, the result would be too long
    out = *next;
  }
  RRset cname(name, RRType::CNAME, dname.rclass, dname.ttl);
  cname.add(out.wire());
  return cname;
}

bool response_matches(const wire::MessageView& msg, uint16_t id, const wire::Name& qname,
                      wire::RRType qtype, wire::RRClass qclass) {
  const auto& h = msg.header();
  if (!h.qr || h.opcode != wire::Opcode::Query || h.id != id) return false;
  if (h.qdcount == 0) {
    auto rc = msg.rcode();
    return rc == wire::Rcode::FormErr || rc == wire::Rcode::NotImp;
  }
  return h.qdcount == 1 && msg.qname().equals(qname) && msg.qtype() == qtype &&
         msg.qclass() == qclass;
}

Classified classify_response(const wire::MessageView& msg, const AskedQuestion& q) {
  Classified c;
  c.aa = msg.header().aa;
  c.final_name = q.qname;
  switch (msg.rcode()) {
    case wire::Rcode::NoError:
    case wire::Rcode::NXDomain:
    case wire::Rcode::YXDomain: break;  // believed only with the DNAME that causes it
    case wire::Rcode::Refused: c.kind = ResponseKind::Refused; return c;
    case wire::Rcode::FormErr:
    case wire::Rcode::NotImp: c.kind = ResponseKind::FormErr; return c;
    default: c.kind = ResponseKind::ServerFailure; return c;
  }
  auto answer_r = wire::collect_rrsets(msg, wire::Section::Answer);
  auto auth_r = wire::collect_rrsets(msg, wire::Section::Authority);
  auto add_r = wire::collect_rrsets(msg, wire::Section::Additional);
  if (!answer_r || !auth_r || !add_r) {
    c.kind = ResponseKind::Malformed;
    return c;
  }
  auto& answer = *answer_r;
  auto& auth = *auth_r;
  auto& add = *add_r;
  // Signatures travel with what they sign (a question for RRSIG itself keeps them as data).
  if (q.qtype != RRType::RRSIG) wire::attach_rrsigs(answer);
  wire::attach_rrsigs(auth);
  auto in_zone = [&](const RRset& s) {
    return s.rclass == q.qclass && s.owner.is_subdomain_of(q.zone);
  };
  // The denial records (and a wildcard answer's proof) the validator needs: kept, not scrubbed.
  for (const auto& s : auth)
    if ((s.type == RRType::NSEC || s.type == RRType::NSEC3) && in_zone(s)) c.proof.push_back(s);
  std::vector<bool> used(answer.size(), false);

  // Follow the chain from the qname through the answer section.
  wire::Name cur = q.qname;
  std::vector<wire::Name> visited{cur};
  bool found = false;
  for (int hop = 0; hop < kMaxHopsInResponse && !found; ++hop) {
    for (size_t i = 0; i < answer.size(); ++i) {
      if (used[i] || !in_zone(answer[i]) || !(answer[i].owner == cur)) continue;
      if (answer[i].type == q.qtype || (q.qtype == RRType::ANY && answer[i].type != RRType::RRSIG)) {
        used[i] = true;
        c.answer.push_back(answer[i]);
        found = true;
      }
    }
    if (found) break;
    std::optional<wire::Name> next;
    // A DNAME at an ancestor of cur wins over a CNAME the server synthesised for it: we make our
    // own from the DNAME and ignore theirs (RFC 6672 §3.2).
    for (size_t i = 0; i < answer.size() && !next; ++i) {
      if (used[i] || !in_zone(answer[i]) || answer[i].type != RRType::DNAME) continue;
      if (!cur.is_subdomain_of(answer[i].owner) || cur == answer[i].owner) continue;
      auto synth = synthesise_cname(answer[i], cur);
      if (!synth) {
        // RFC 6672 §2.2: the substituted name would be longer than 255 octets: YXDOMAIN, with
        // the DNAME that says so.
        used[i] = true;
        c.chain.push_back(answer[i]);
        c.yxdomain = true;
        break;
      }
      used[i] = true;
      c.chain.push_back(answer[i]);
      c.chain.push_back(*synth);
      next = wire::rdata_target(RRType::CNAME, *synth->begin());
      for (size_t j = 0; j < answer.size(); ++j)
        if (answer[j].type == RRType::CNAME && answer[j].owner == cur) used[j] = true;
    }
    if (!next && q.qtype != RRType::CNAME) {
      for (size_t i = 0; i < answer.size() && !next; ++i) {
        if (used[i] || !in_zone(answer[i]) || answer[i].type != RRType::CNAME) continue;
        if (!(answer[i].owner == cur) || answer[i].empty()) continue;
        used[i] = true;
        c.chain.push_back(answer[i]);
        next = wire::rdata_target(RRType::CNAME, *answer[i].begin());
      }
    }
    if (!next || c.yxdomain) break;
    cur = *next;
    if (contains_name(visited, cur)) {
      c.chain_loop = true;
      break;
    }
    visited.push_back(cur);
  }
  c.final_name = cur;
  for (size_t i = 0; i < answer.size(); ++i)
    if (!used[i]) c.scrubbed += uint32_t(answer[i].size());

  if (c.chain_loop) {
    c.kind = ResponseKind::PartialChain;
    return c;
  }
  if (c.yxdomain) {
    c.kind = ResponseKind::YxDomain;
    return c;
  }
  if (msg.rcode() == wire::Rcode::YXDomain) {
    c.kind = ResponseKind::ServerFailure;
    return c;
  }
  if (found) {
    c.kind = ResponseKind::Answer;
    if (q.priming && q.qtype == RRType::NS && !c.answer.empty()) {
      // RFC 8109 §3.3: the addresses of the root servers come in the additional section.
      auto targets = ns_targets(c.answer.front());
      for (auto& s : add)
        if ((s.type == RRType::A || s.type == RRType::AAAA) && s.rclass == q.qclass &&
            s.owner.is_subdomain_of(q.zone) && contains_name(targets, s.owner))
          c.glue.push_back(s);
    }
    return c;
  }

  const bool cur_in_zone = cur.is_subdomain_of(q.zone);
  const RRset* soa = nullptr;
  const RRset* ns = nullptr;
  bool upward_ns = false;  // an NS set of a zone above the one asked: a lame server's referral
  for (auto& s : auth) {
    if (!in_zone(s)) {
      if (s.type == RRType::NS && q.zone.is_subdomain_of(s.owner) && !(q.zone == s.owner))
        upward_ns = true;
      c.scrubbed += uint32_t(s.size());
      continue;
    }
    if (s.type == RRType::SOA && cur.is_subdomain_of(s.owner) && !soa) soa = &s;
    if (s.type == RRType::NS && !ns) ns = &s;
  }
  if (soa) c.soa = *soa;
  if (soa && ns && ns->owner == soa->owner) c.zone_ns = *ns;

  if (msg.rcode() == wire::Rcode::NXDomain) {
    // An NXDOMAIN for a chain target outside this server's zone says nothing about that target.
    c.kind = cur_in_zone ? ResponseKind::NxDomain : ResponseKind::PartialChain;
    if (!cur_in_zone) c.soa.reset();
    return c;
  }
  if (soa) {
    c.kind = (!c.chain.empty() && !cur_in_zone) ? ResponseKind::PartialChain : ResponseKind::NoData;
    return c;
  }
  if (!c.chain.empty()) {
    // Without a SOA nothing says the target has no data: ask for it (servers that do not follow
    // in-zone CNAMEs exist, and a loop is caught by the chain check).
    c.kind = ResponseKind::PartialChain;
    return c;
  }
  if (ns) {
    const auto& child = ns->owner;
    bool downward = child.is_subdomain_of(q.zone) && !(child == q.zone);
    if (q.recursive) {
      // A forwarder that refers us on did not resolve the question: an error, never followed.
      c.kind = (downward && cur.is_subdomain_of(child)) || upward_ns ? ResponseKind::Lame
                                                                    : ResponseKind::NoData;
      return c;
    }
    if (downward && cur.is_subdomain_of(child)) {
      c.kind = ResponseKind::Referral;
      c.referral_ns = *ns;
      for (const auto& s : auth)
        if (s.type == RRType::DS && s.owner == child && s.rclass == q.qclass) c.referral_ds = s;
      auto targets = ns_targets(*ns);
      for (auto& s : add) {
        bool address = s.type == RRType::A || s.type == RRType::AAAA;
        // Glue only for NS targets of this referral inside the zone the server was asked as
        // (RFC 2181 §5.4.1 glue; Unbound's harden-glue): anything else could be a lie about a
        // name this server has no authority over. Cached at Glue trust, never answered.
        if (address && s.rclass == q.qclass && s.owner.is_subdomain_of(q.zone) &&
            contains_name(targets, s.owner))
          c.glue.push_back(s);
        else
          c.scrubbed += uint32_t(s.size());
      }
      return c;
    }
    // NS of the zone itself in an authoritative empty answer: NODATA without SOA. Otherwise a
    // referral upwards or sideways: the server is lame for this zone.
    c.kind = (c.aa && child == q.zone) ? ResponseKind::NoData : ResponseKind::Lame;
    return c;
  }
  // Records of another type at the name itself (an A to an AAAA question, from a server that
  // answers every type with what it has): the name exists, the type does not. Unbound and Knot
  // Resolver read it as NODATA too; the stray records stay scrubbed (never cached) and, with no
  // SOA, the NODATA is not cached either (RFC 2308 §5).
  const bool stray_at_name = c.chain.empty() && !upward_ns &&
                             std::any_of(answer.begin(), answer.end(), [&](const RRset& s) {
                               return in_zone(s) && s.owner == cur && s.type != RRType::RRSIG;
                             });
  c.kind = (((c.aa || q.recursive) && !upward_ns) || stray_at_name) ? ResponseKind::NoData
                                                                      : ResponseKind::Lame;
  return c;
}

}  // namespace tern::engine
