#include "resolver/server/local_policy.h"

#include <algorithm>

#include "wire/rdata.h"
#include "wire/text.h"

namespace tern::server {
namespace {

using wire::Name;
using wire::Rcode;
using wire::RRClass;
using wire::RRset;
using wire::RRType;

struct TypeName {
  LocalZoneType type;
  std::string_view text;
};
constexpr TypeName kTypeNames[] = {
    {LocalZoneType::Static, "static"},
    {LocalZoneType::Transparent, "transparent"},
    {LocalZoneType::Redirect, "redirect"},
    {LocalZoneType::Refuse, "refuse"},
    {LocalZoneType::Deny, "deny"},
    {LocalZoneType::AlwaysNxdomain, "always-nxdomain"},
    {LocalZoneType::AlwaysNodata, "always-nodata"},
};

const RRset* find_type(const std::vector<RRset>& node, RRType type) {
  for (const RRset& s : node)
    if (s.type == type) return &s;
  return nullptr;
}

RRset as_asked(const RRset& s, const Name& qname) {
  RRset out = s;
  out.owner = qname;  // the client's spelling (and, for redirect, the name it asked)
  return out;
}

}  // namespace

std::optional<LocalZoneType> local_zone_type_from_text(std::string_view text) {
  for (const auto& t : kTypeNames)
    if (t.text == text) return t.type;
  return std::nullopt;
}

std::string_view to_string(LocalZoneType type) {
  for (const auto& t : kTypeNames)
    if (t.type == type) return t.text;
  return "?";
}

void LocalPolicy::add_zone(const Name& apex, LocalZoneType type) {
  zones_.insert_or_assign(apex, Zone{apex, type, {}});
  if (apex.is_root())
    has_root_zone_ = true;
  else
    tlds_.insert(apex.suffix(1));
}

void LocalPolicy::add_record_to(const Name& apex, const Name& owner, RRType type, uint32_t ttl,
                                std::span<const uint8_t> rdata) {
  Zone& z = zones_.at(apex);
  // Empty non-terminals between the owner and the apex exist (RFC 8020 must not deny them).
  for (size_t n = apex.label_count() + 1; n < owner.label_count(); ++n) z.nodes.try_emplace(owner.suffix(n));
  std::vector<RRset>& node = z.nodes[owner];
  for (RRset& s : node) {
    if (s.type == type) {
      s.add(rdata);
      s.ttl = std::min(s.ttl, ttl);  // one TTL per set (RFC 2181 §5.2)
      return;
    }
  }
  RRset s(owner, type, RRClass::IN, ttl);
  s.add(rdata);
  node.push_back(std::move(s));
}

void LocalPolicy::add_record(const Name& owner, RRType type, uint32_t ttl,
                             std::span<const uint8_t> rdata) {
  const Zone* z = closest_zone(owner);
  if (!z) {
    add_zone(owner, LocalZoneType::Transparent);
    add_record_to(owner, owner, type, ttl, rdata);
    return;
  }
  add_record_to(z->apex, owner, type, ttl, rdata);
}

const LocalPolicy::Zone* LocalPolicy::closest_zone(const Name& qname) const {
  if (zones_.empty()) return nullptr;
  if (!has_root_zone_ && (qname.is_root() || !tlds_.count(qname.suffix(1)))) return nullptr;
  for (size_t n = qname.label_count() + 1; n-- > 0;) {
    auto it = zones_.find(n == qname.label_count() ? qname : qname.suffix(n));
    if (it != zones_.end()) return &it->second;
  }
  return nullptr;
}

std::optional<std::pair<Name, LocalZoneType>> LocalPolicy::zone_of(const Name& name) const {
  const Zone* z = closest_zone(name);
  if (!z) return std::nullopt;
  return std::make_pair(z->apex, z->type);
}

Sections LocalPolicy::negative(const Zone& z, Rcode rcode) const {
  Sections s;
  s.authoritative = true;
  s.rcode = rcode;
  // The zone's SOA, when it has one, lets the client cache the denial (RFC 2308 §3).
  if (auto apex = z.nodes.find(z.apex); apex != z.nodes.end())
    if (const RRset* soa = find_type(apex->second, RRType::SOA)) s.authority.push_back(*soa);
  return s;
}

std::optional<Sections> LocalPolicy::from_node(const std::vector<RRset>& node,
                                               const ClientQuery& q) const {
  Sections s;
  s.authoritative = true;
  if (q.qtype == RRType::ANY) {
    for (const RRset& r : node) s.answer.push_back(as_asked(r, q.qname));
  } else if (const RRset* r = find_type(node, q.qtype)) {
    s.answer.push_back(as_asked(*r, q.qname));
  } else if (const RRset* cname = find_type(node, RRType::CNAME)) {
    // The alias alone: the client (or its stub) follows it, as with Unbound's local CNAME data.
    s.answer.push_back(as_asked(*cname, q.qname));
  }
  if (s.answer.empty()) return std::nullopt;
  return s;
}

void LocalPolicy::follow_local_cname(Sections& s, RRType qtype) const {
  if (qtype == RRType::CNAME || qtype == RRType::ANY) return;
  // A local alias to a local name gets the target's data in the same answer (a stub resolver
  // does not ask again); a target elsewhere is left to the client. Bounded against loops.
  for (size_t hop = 0; hop < kMaxLocalCnameHops; ++hop) {
    const RRset& last = s.answer.back();
    if (last.type != RRType::CNAME || last.empty()) return;
    auto target = wire::rdata_target(RRType::CNAME, *last.begin());
    if (!target) return;
    for (const RRset& seen : s.answer)
      if (seen.owner == *target) return;  // a loop: the client sees it and stops
    const Zone* z = closest_zone(*target);
    if (!z || (z->type != LocalZoneType::Static && z->type != LocalZoneType::Transparent)) return;
    auto node = z->nodes.find(*target);
    if (node == z->nodes.end()) return;
    const RRset* next = find_type(node->second, qtype);
    if (!next) next = find_type(node->second, RRType::CNAME);
    if (!next) return;
    s.answer.push_back(*next);
  }
}

LocalDecision LocalPolicy::decide(const ClientQuery& q) const {
  LocalDecision d;
  if (const Zone* z = closest_zone(q.qname)) {
    d.kind = LocalDecision::Kind::Answer;
    switch (z->type) {
      case LocalZoneType::AlwaysNxdomain:
        d.sections = negative(*z, Rcode::NXDomain);
        return d;
      case LocalZoneType::AlwaysNodata:
        d.sections = negative(*z, Rcode::NoError);
        return d;
      case LocalZoneType::Refuse:
      case LocalZoneType::Deny: {
        auto node = z->nodes.find(q.qname);
        if (node != z->nodes.end())
          if (auto s = from_node(node->second, q)) {
            d.sections = std::move(*s);
            return d;
          }
        if (z->type == LocalZoneType::Deny) {
          d.kind = LocalDecision::Kind::Drop;
        } else {
          d.sections.rcode = Rcode::Refused;
        }
        return d;
      }
      case LocalZoneType::Static:
      case LocalZoneType::Transparent:
      case LocalZoneType::Redirect: {
        auto node = z->nodes.find(z->type == LocalZoneType::Redirect ? z->apex : q.qname);
        if (node != z->nodes.end()) {
          if (auto s = from_node(node->second, q)) {
            d.sections = std::move(*s);
            follow_local_cname(d.sections, q.qtype);
          } else {
            d.sections = negative(*z, Rcode::NoError);  // the name exists, not with this type
          }
          return d;
        }
        if (z->type != LocalZoneType::Transparent) {
          d.sections = negative(*z, Rcode::NXDomain);
          return d;
        }
        d.kind = LocalDecision::Kind::Resolve;  // transparent: not ours
        break;
      }
    }
  }
  // ANY for any other name is resolved: whether the name exists decides the answer
  // (any_answer.h).
  return d;
}

std::string LocalPolicy::fingerprint() const {
  std::vector<std::string> lines;
  for (const auto& [apex, z] : zones_) {
    lines.push_back("zone " + apex.to_text() + " " + std::string(to_string(z.type)));
    for (const auto& [owner, node] : z.nodes) {
      lines.push_back("node " + owner.to_text());
      for (const RRset& s : node) {
        std::vector<std::string> rrs;
        for (auto rdata : s) rrs.push_back(wire::rr_to_text(s.owner, s.ttl, s.rclass, s.type, rdata));
        std::sort(rrs.begin(), rrs.end());
        for (auto& r : rrs) lines.push_back(std::move(r));
      }
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::vector<LocalPolicy::ZoneSummary> LocalPolicy::zones() const {
  std::vector<ZoneSummary> out;
  out.reserve(zones_.size());
  for (const auto& [apex, z] : zones_) {
    size_t records = 0;
    for (const auto& [owner, node] : z.nodes)
      for (const RRset& s : node) records += s.size();
    out.push_back({apex, z.type, records});
  }
  std::sort(out.begin(), out.end(), [](const ZoneSummary& a, const ZoneSummary& b) {
    return a.apex.canonical_compare(b.apex) < 0;
  });
  return out;
}

}  // namespace tern::server
