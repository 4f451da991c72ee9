#include "resolver/validator/nsec3_proof.h"

#include <algorithm>
#include <variant>
#include <vector>

#include "resolver/validator/dnssec_rdata.h"
#include "resolver/validator/nsec3_hash.h"
#include "wire/nsec3_label.h"

namespace tern::validator {
namespace {

using wire::Name;
using wire::RRType;

struct Nsec3 {
  Nsec3Hash owner{};
  Nsec3Data data;
  bool has(RRType t) const { return bitmap_has_type(data.type_bitmap, t); }
};

DenialResult bogus(Reason r) { return {ValidationResult::bogus(r), std::nullopt, false}; }
DenialResult insecure(Reason r, std::optional<Name> ce = std::nullopt) {
  return {ValidationResult::insecure(r), std::move(ce), r == Reason::OptOut};
}

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// The usable records of one parameter set, and the hashes computed so far for this proof.
class Chain {
 public:
  Chain(const Name& zone, std::span<const wire::RRset> sets, ValidationBudget& budget)
      : budget_(budget) {
    for (const auto& set : sets) {
      if (set.type != RRType::NSEC3 || set.owner.label_count() != zone.label_count() + 1 ||
          !set.owner.is_subdomain_of(zone)) {
        continue;
      }
      auto owner = wire::nsec3_hash_from_label(set.owner.label(0));
      if (!owner || owner->size() != Nsec3Hash{}.size()) continue;
      for (auto rdata : set) {
        auto d = parse_nsec3(rdata);
        // §8.2: unknown hash algorithms and flags other than opt-out make a record unusable.
        if (!d || d->hash_algorithm != kNsec3HashSha1 || (d->flags & ~kNsec3FlagOptOut) ||
            d->next_hashed.size() != Nsec3Hash{}.size()) {
          continue;
        }
        if (!records_.empty() && (d->iterations != records_[0].data.iterations ||
                                  !same(d->salt, records_[0].data.salt))) {
          continue;
        }
        Nsec3 r;
        std::copy(owner->begin(), owner->end(), r.owner.begin());
        r.data = *d;
        records_.push_back(r);
      }
    }
  }

  bool empty() const { return records_.empty(); }
  bool too_many_iterations() const {
    return !records_.empty() && records_[0].data.iterations > kMaxNsec3Iterations;
  }

  // H(name), from this proof's memo or computed (one budget unit).
  std::optional<Nsec3Hash> hash(const Name& name) {
    for (const auto& [n, h] : memo_) {
      if (n == name) return h;
    }
    auto h = nsec3_hash(name, kNsec3HashSha1, records_[0].data.iterations, records_[0].data.salt,
                        budget_);
    if (h) memo_.emplace_back(name, *h);
    return h;
  }

  const Nsec3* match(const Nsec3Hash& h) const {
    for (const auto& r : records_) {
      if (r.owner == h) return &r;
    }
    return nullptr;
  }

  // owner < h < next over the hash ring; the last record wraps to the first.
  const Nsec3* cover(const Nsec3Hash& h) const {
    for (const auto& r : records_) {
      std::span<const uint8_t> next = r.data.next_hashed;
      bool after_owner = std::lexicographical_compare(r.owner.begin(), r.owner.end(), h.begin(),
                                                      h.end());
      bool before_next = std::lexicographical_compare(h.begin(), h.end(), next.begin(), next.end());
      bool wraps = !std::lexicographical_compare(r.owner.begin(), r.owner.end(), next.begin(),
                                                 next.end());
      if (wraps ? (after_owner || before_next) : (after_owner && before_next)) return &r;
    }
    return nullptr;
  }

 private:
  std::vector<Nsec3> records_;
  std::vector<std::pair<Name, Nsec3Hash>> memo_;
  ValidationBudget& budget_;
};

struct Encloser {
  Name closest;
  Name next_closer;
  const Nsec3* next_closer_cover = nullptr;
};

// §8.3 with its failure as a DenialResult. `qname` must not itself match (the caller checks).
std::variant<Encloser, DenialResult> prove_encloser(Chain& chain, const Name& qname,
                                                    const Name& zone) {
  if (!qname.is_subdomain_of(zone) || qname == zone) return bogus(Reason::ProofInvalid);
  Name next_closer = qname;
  Name candidate = qname.parent();
  while (true) {
    auto h = chain.hash(candidate);
    if (!h) return bogus(Reason::BudgetExhausted);
    if (const Nsec3* m = chain.match(*h)) {
      // A delegation (NS without SOA) or DNAME cannot be the closest encloser of names below it.
      if ((m->has(RRType::NS) && !m->has(RRType::SOA)) || m->has(RRType::DNAME)) {
        return bogus(Reason::ProofInvalid);
      }
      break;
    }
    if (candidate == zone) return bogus(Reason::NsecMissing);
    next_closer = candidate;
    candidate = candidate.parent();
  }
  auto nh = chain.hash(next_closer);
  if (!nh) return bogus(Reason::BudgetExhausted);
  const Nsec3* cover = chain.cover(*nh);
  if (!cover) return bogus(Reason::NsecMissing);
  return Encloser{candidate, next_closer, cover};
}

// The common start of every proof: usable records and an acceptable iteration count.
std::optional<DenialResult> precheck(const Chain& chain) {
  if (chain.empty()) return bogus(Reason::NsecMissing);
  if (chain.too_many_iterations()) return insecure(Reason::Nsec3IterationsTooHigh);
  return std::nullopt;
}

bool denies_type(const Nsec3& r, RRType qtype, const Name& zone) {
  if (r.has(qtype) || r.has(RRType::CNAME)) return false;
  // A delegation's record (NS, no SOA) is the parent's: it speaks only for DS. An apex record
  // (SOA) is the child's: it cannot deny the parent's DS, except at the root (as Unbound does).
  if (qtype != RRType::DS && r.has(RRType::NS) && !r.has(RRType::SOA)) return false;
  if (qtype == RRType::DS && r.has(RRType::SOA) && !zone.is_root()) return false;
  return true;
}

std::optional<Name> wildcard_of(const Name& ce) {
  auto w = ce.prepend("*");
  if (!w) return std::nullopt;
  return *w;
}

}  // namespace

DenialResult nsec3_closest_encloser(const Name& qname, const Name& zone,
                                    std::span<const wire::RRset> nsec3s, ValidationBudget& budget) {
  Chain chain(zone, nsec3s, budget);
  if (auto early = precheck(chain)) return *early;
  auto h = chain.hash(qname);
  if (!h) return bogus(Reason::BudgetExhausted);
  if (chain.match(*h)) return bogus(Reason::ProofInvalid);  // qname exists
  auto e = prove_encloser(chain, qname, zone);
  if (auto* fail = std::get_if<DenialResult>(&e)) return *fail;
  const auto& enc = std::get<Encloser>(e);
  return {ValidationResult::secure(), enc.closest, enc.next_closer_cover->data.opt_out()};
}

DenialResult nsec3_prove_nxdomain(const Name& qname, const Name& zone,
                                  std::span<const wire::RRset> nsec3s, ValidationBudget& budget) {
  Chain chain(zone, nsec3s, budget);
  if (auto early = precheck(chain)) return *early;
  auto h = chain.hash(qname);
  if (!h) return bogus(Reason::BudgetExhausted);
  if (chain.match(*h)) return bogus(Reason::ProofInvalid);
  auto e = prove_encloser(chain, qname, zone);
  if (auto* fail = std::get_if<DenialResult>(&e)) return *fail;
  const auto& enc = std::get<Encloser>(e);
  auto wild = wildcard_of(enc.closest);
  if (!wild) return bogus(Reason::ProofInvalid);
  auto wh = chain.hash(*wild);
  if (!wh) return bogus(Reason::BudgetExhausted);
  if (!chain.cover(*wh)) return bogus(Reason::NsecMissing);
  return {ValidationResult::secure(), enc.closest, enc.next_closer_cover->data.opt_out()};
}

DenialResult nsec3_prove_nodata(const Name& qname, RRType qtype, const Name& zone,
                                std::span<const wire::RRset> nsec3s, ValidationBudget& budget) {
  Chain chain(zone, nsec3s, budget);
  if (auto early = precheck(chain)) return *early;
  auto h = chain.hash(qname);
  if (!h) return bogus(Reason::BudgetExhausted);
  if (const Nsec3* m = chain.match(*h)) {
    if (!denies_type(*m, qtype, zone)) return bogus(Reason::ProofInvalid);
    return {ValidationResult::secure(), std::nullopt, false};
  }
  auto e = prove_encloser(chain, qname, zone);
  if (auto* fail = std::get_if<DenialResult>(&e)) return *fail;
  const auto& enc = std::get<Encloser>(e);
  if (qtype == RRType::DS) {
    // §8.6: no DS and no matching record is only acceptable inside an opt-out span.
    if (enc.next_closer_cover->data.opt_out()) return insecure(Reason::OptOut, enc.closest);
    return bogus(Reason::ProofInvalid);
  }
  auto wild = wildcard_of(enc.closest);
  if (!wild) return bogus(Reason::ProofInvalid);
  auto wh = chain.hash(*wild);
  if (!wh) return bogus(Reason::BudgetExhausted);
  const Nsec3* w = chain.match(*wh);
  if (!w) return bogus(Reason::NsecMissing);
  if (!denies_type(*w, qtype, zone)) return bogus(Reason::ProofInvalid);
  return {ValidationResult::secure(), enc.closest, false};
}

DenialResult nsec3_prove_wildcard_answer(const Name& qname, const Name& wildcard,
                                         const Name& zone, std::span<const wire::RRset> nsec3s,
                                         ValidationBudget& budget) {
  if (wildcard.label_count() == 0 || wildcard.label(0) != "*") return bogus(Reason::ProofInvalid);
  Name source_ce = wildcard.parent();
  if (!qname.is_subdomain_of(source_ce) || qname == source_ce) return bogus(Reason::ProofInvalid);
  Chain chain(zone, nsec3s, budget);
  if (auto early = precheck(chain)) return *early;
  Name next_closer = qname.suffix(source_ce.label_count() + 1);
  auto h = chain.hash(next_closer);
  if (!h) return bogus(Reason::BudgetExhausted);
  const Nsec3* cover = chain.cover(*h);
  if (!cover) return bogus(Reason::NsecMissing);
  return {ValidationResult::secure(), source_ce, cover->data.opt_out()};
}

DenialResult nsec3_prove_insecure_delegation(const Name& delegation, const Name& zone,
                                             std::span<const wire::RRset> nsec3s,
                                             ValidationBudget& budget) {
  Chain chain(zone, nsec3s, budget);
  if (auto early = precheck(chain)) return *early;
  auto h = chain.hash(delegation);
  if (!h) return bogus(Reason::BudgetExhausted);
  if (const Nsec3* m = chain.match(*h)) {
    if (!m->has(RRType::NS) || m->has(RRType::DS) || m->has(RRType::SOA)) {
      return bogus(Reason::ProofInvalid);
    }
    return insecure(Reason::ProvenInsecure);
  }
  auto e = prove_encloser(chain, delegation, zone);
  if (auto* fail = std::get_if<DenialResult>(&e)) return *fail;
  const auto& enc = std::get<Encloser>(e);
  if (!enc.next_closer_cover->data.opt_out()) return bogus(Reason::ProofInvalid);
  return insecure(Reason::OptOut, enc.closest);
}

}  // namespace tern::validator
