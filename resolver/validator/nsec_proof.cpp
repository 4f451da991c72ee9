#include "resolver/validator/nsec_proof.h"

#include "resolver/validator/dnssec_rdata.h"

namespace tern::validator {
namespace {

using wire::Name;
using wire::RRType;

struct Nsec {
  Name owner;
  NsecData data;
  bool has(RRType t) const { return bitmap_has_type(data.type_bitmap, t); }
};

std::vector<Nsec> collect(std::span<const wire::RRset> nsecs) {
  std::vector<Nsec> out;
  for (const auto& set : nsecs) {
    if (set.type != RRType::NSEC) continue;
    for (auto rdata : set) {
      if (auto d = parse_nsec(rdata)) out.push_back({set.owner, *d});
    }
  }
  return out;
}

DenialResult bogus(Reason r) { return {ValidationResult::bogus(r), std::nullopt, false}; }
DenialResult secure(std::optional<Name> ce = std::nullopt) {
  return {ValidationResult::secure(), std::move(ce), false};
}

// Does this NSEC say that `name` does not exist? Owner < name < next in canonical order, the
// last NSEC of a zone wrapping to the apex. Names below a delegation or DNAME at the owner are
// not in this zone's chain, so such an NSEC proves nothing about them (RFC 6840 §4.1).
bool covers(const Nsec& n, const Name& name) {
  if (name.is_subdomain_of(n.owner) && !(name == n.owner) &&
      ((n.has(RRType::NS) && !n.has(RRType::SOA)) || n.has(RRType::DNAME))) {
    return false;
  }
  if (n.owner.canonical_compare(name) >= 0) return false;
  if (n.owner.canonical_compare(n.data.next) < 0) return name.canonical_compare(n.data.next) < 0;
  return name.is_subdomain_of(n.data.next);  // wrap-around: next is the apex
}

const Nsec* find_match(const std::vector<Nsec>& all, const Name& name) {
  for (const auto& n : all) {
    if (n.owner == name) return &n;
  }
  return nullptr;
}

const Nsec* find_cover(const std::vector<Nsec>& all, const Name& name) {
  for (const auto& n : all) {
    if (covers(n, name)) return &n;
  }
  return nullptr;
}

// The closest encloser an NSEC covering `name` implies: the longest ancestor of `name` shared
// with the owner or the next name (RFC 4035 §5.4; both exist in the zone).
Name closest_encloser(const Nsec& n, const Name& name) {
  Name a = name.common_ancestor(n.owner);
  Name b = name.common_ancestor(n.data.next);
  return a.label_count() >= b.label_count() ? a : b;
}

std::optional<Name> wildcard_of(const Name& ce) {
  auto w = ce.prepend("*");
  if (!w) return std::nullopt;
  return *w;
}

// qname is an empty non-terminal: an NSEC whose owner is before qname and whose next name is
// below qname (RFC 4035 §3.1.3.2 with RFC 6840 §4.3).
bool empty_non_terminal(const std::vector<Nsec>& all, const Name& qname) {
  for (const auto& n : all) {
    if (n.owner.canonical_compare(qname) < 0 && n.data.next.is_subdomain_of(qname) &&
        !(n.data.next == qname)) {
      return true;
    }
  }
  return false;
}

// The type-bit checks for a NODATA at a matching NSEC.
bool denies_type(const Nsec& n, RRType qtype) {
  if (n.has(qtype) || n.has(RRType::CNAME)) return false;
  bool parent_side = n.has(RRType::NS) && !n.has(RRType::SOA);
  // A delegation's NSEC is from the parent: it speaks only for DS. An apex NSEC is from the
  // child: it cannot deny the parent's DS (RFC 6840 §4.4), except at the root, which has none.
  if (qtype != RRType::DS && parent_side) return false;
  if (qtype == RRType::DS && n.has(RRType::SOA) && !n.owner.is_root()) return false;
  return true;
}

}  // namespace

DenialResult nsec_prove_nxdomain(const Name& qname, std::span<const wire::RRset> nsecs) {
  auto all = collect(nsecs);
  // qname exists, as a node or as an empty non-terminal above one.
  if (find_match(all, qname) || empty_non_terminal(all, qname)) return bogus(Reason::ProofInvalid);
  const Nsec* cover = find_cover(all, qname);
  if (!cover) return bogus(Reason::NsecMissing);
  Name ce = closest_encloser(*cover, qname);
  auto wild = wildcard_of(ce);
  if (!wild) return bogus(Reason::ProofInvalid);
  if (find_match(all, *wild)) return bogus(Reason::ProofInvalid);  // the wildcard exists
  if (!find_cover(all, *wild)) return bogus(Reason::NsecMissing);
  return secure(ce);
}

DenialResult nsec_prove_nodata(const Name& qname, RRType qtype,
                               std::span<const wire::RRset> nsecs) {
  auto all = collect(nsecs);
  if (const Nsec* m = find_match(all, qname)) {
    return denies_type(*m, qtype) ? secure() : bogus(Reason::ProofInvalid);
  }
  if (empty_non_terminal(all, qname)) return secure();
  // Wildcard NODATA (RFC 4035 §3.1.3.4): qname does not exist, the wildcard does, without qtype.
  const Nsec* cover = find_cover(all, qname);
  if (!cover) return bogus(Reason::NsecMissing);
  Name ce = closest_encloser(*cover, qname);
  auto wild = wildcard_of(ce);
  if (!wild) return bogus(Reason::ProofInvalid);
  const Nsec* w = find_match(all, *wild);
  if (!w) return bogus(Reason::NsecMissing);
  return denies_type(*w, qtype) ? secure(ce) : bogus(Reason::ProofInvalid);
}

DenialResult nsec_prove_wildcard_answer(const Name& qname, const Name& wildcard,
                                        std::span<const wire::RRset> nsecs) {
  if (wildcard.label_count() == 0 || wildcard.label(0) != "*") return bogus(Reason::ProofInvalid);
  Name source_ce = wildcard.parent();
  if (!qname.is_subdomain_of(source_ce) || qname == source_ce) return bogus(Reason::ProofInvalid);
  auto all = collect(nsecs);
  const Nsec* cover = find_cover(all, qname);
  if (!cover) return bogus(Reason::NsecMissing);
  // A closer encloser than the wildcard's parent exists: the wildcard could not have applied.
  if (closest_encloser(*cover, qname).label_count() > source_ce.label_count()) {
    return bogus(Reason::ProofInvalid);
  }
  return secure(source_ce);
}

DenialResult nsec_prove_insecure_delegation(const Name& delegation,
                                            std::span<const wire::RRset> nsecs) {
  auto all = collect(nsecs);
  const Nsec* m = find_match(all, delegation);
  if (!m) return bogus(Reason::NsecMissing);
  if (!m->has(RRType::NS) || m->has(RRType::DS) || m->has(RRType::SOA)) {
    return bogus(Reason::ProofInvalid);
  }
  return {ValidationResult::insecure(Reason::ProvenInsecure), std::nullopt, false};
}

}  // namespace tern::validator
