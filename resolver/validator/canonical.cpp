#include "resolver/validator/canonical.h"

#include <algorithm>

#include "wire/canonical_rdata.h"

namespace tern::validator {
namespace {

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, uint16_t(v >> 16));
  put16(out, uint16_t(v));
}

// RFC 4034 §6.3: RDATA compared as left-justified unsigned octet strings, a shorter string
// before a longer one it is a prefix of. (Written out rather than vector's operator<, on which
// GCC 12 -O3 reports a false -Wstringop-overread.)
bool canonical_less(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return a.size() < b.size();
}

}  // namespace

std::vector<std::vector<uint8_t>> canonical_rdatas(const wire::RRset& rrset) {
  std::vector<std::vector<uint8_t>> out;
  out.reserve(rrset.size());
  for (auto rdata : rrset) out.push_back(wire::dnssec_canonical_rdata(rrset.type, rdata));
  std::sort(out.begin(), out.end(), canonical_less);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<wire::Name> signed_owner(const wire::Name& owner, uint8_t rrsig_labels) {
  // A leading "*" label is not counted (RFC 4034 §3.1.3).
  size_t count = owner.label_count();
  if (count > 0 && owner.label(0) == "*") --count;
  if (rrsig_labels > count) return std::nullopt;
  wire::Name lower = owner.lowercased();
  if (rrsig_labels == count) return lower;
  auto wild = lower.suffix(rrsig_labels).prepend("*");
  if (!wild) return std::nullopt;
  return *wild;
}

std::optional<std::vector<uint8_t>> signed_data(const wire::RRset& rrset, const RrsigData& rrsig) {
  auto owner = signed_owner(rrset.owner, rrsig.labels);
  if (!owner) return std::nullopt;
  auto rdatas = canonical_rdatas(rrset);
  std::vector<uint8_t> out;
  wire::Name signer = rrsig.signer.lowercased();
  size_t per_rr = owner->wire_size() + 10;
  size_t total = rrsig.fixed_fields.size() + signer.wire_size();
  for (const auto& r : rdatas) total += per_rr + r.size();
  out.reserve(total);
  out.insert(out.end(), rrsig.fixed_fields.begin(), rrsig.fixed_fields.end());
  out.insert(out.end(), signer.wire().begin(), signer.wire().end());
  for (const auto& r : rdatas) {
    out.insert(out.end(), owner->wire().begin(), owner->wire().end());
    put16(out, uint16_t(rrset.type));
    put16(out, uint16_t(rrset.rclass));
    put32(out, rrsig.original_ttl);
    put16(out, uint16_t(r.size()));
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

}  // namespace tern::validator
