#include "cache/negative_entry.h"

#include <memory>

#include "cache/rrset_blob.h"

#include <cstring>
#include <new>

#include "cache/name_key.h"

namespace tern::cache {

uint64_t negative_key_hash(std::span<const uint8_t> name, NegativeKind kind, wire::RRType qtype,
                           wire::RRClass qclass) {
  uint64_t type_part = kind == NegativeKind::NxDomain ? 0x10000u : uint64_t(qtype);
  return hash_name_key(name, type_part << 16 | uint64_t(qclass) | uint64_t(1) << 40);
}

NegativeEntry* NegativeEntry::create(NegativeKind kind, const wire::Name& name, wire::RRType qtype,
                                     wire::RRClass qclass, const wire::RRset* soa,
                                     std::span<const uint8_t> soa_rdata, uint64_t hash,
                                     Trust trust, Instant expiry, uint32_t ttl,
                                     std::span<const wire::RRset> proof) {
  auto n = name.wire();
  auto so = soa ? soa->owner.wire() : std::span<const uint8_t>{};
  auto sigs = soa && soa->rrsigs ? soa->rrsigs->packed() : std::span<const uint8_t>{};
  std::vector<uint8_t> blob;
  append_rrsets(blob, proof);
  size_t size = sizeof(NegativeEntry) + n.size() + so.size() + soa_rdata.size() + 1 + 4 +
                sigs.size() + 4 + blob.size();
  void* mem = ::operator new(size);
  auto* e = new (mem) NegativeEntry();
  e->hash = hash;
  e->bytes = uint32_t(allocation_bytes(size));
  e->expiry = expiry;
  e->original_ttl = ttl;
  e->qtype = kind == NegativeKind::NxDomain ? wire::RRType{0} : qtype;
  e->qclass = qclass;
  e->soa_class = soa ? soa->rclass : qclass;
  e->kind = kind;
  e->trust = trust;
  e->name_size = uint8_t(n.size());
  e->soa_owner_size = uint8_t(so.size());
  e->soa_owner_labels = soa ? uint8_t(soa->owner.label_count()) : 0;
  e->soa_rdata_size = uint16_t(soa_rdata.size());
  auto* t = reinterpret_cast<uint8_t*>(e + 1);
  std::memcpy(t, n.data(), n.size());
  if (!so.empty()) std::memcpy(t + n.size(), so.data(), so.size());
  if (!soa_rdata.empty())
    std::memcpy(t + n.size() + so.size(), soa_rdata.data(), soa_rdata.size());
  uint8_t* p = t + n.size() + so.size() + soa_rdata.size();
  *p++ = uint8_t(soa ? soa->security : wire::Security::Indeterminate);
  uint32_t sig_size = uint32_t(sigs.size()), blob_size = uint32_t(blob.size());
  std::memcpy(p, &sig_size, 4);
  if (!sigs.empty()) std::memcpy(p + 4, sigs.data(), sigs.size());
  p += 4 + sigs.size();
  std::memcpy(p, &blob_size, 4);
  if (!blob.empty()) std::memcpy(p + 4, blob.data(), blob.size());
  return e;
}

void NegativeEntry::destroy(NegativeEntry* e) {
  e->~NegativeEntry();
  ::operator delete(e);
}

wire::RRset NegativeEntry::soa_rrset(uint32_t ttl) const {
  wire::RRset out(wire::Name::from_wire_unchecked(soa_owner(), soa_owner_labels), wire::RRType::SOA,
                  soa_class, ttl);
  out.add(soa_rdata());
  out.security = security();
  if (auto sigs = soa_sigs(); !sigs.empty()) {
    wire::RRset s(out.owner, wire::RRType::RRSIG, soa_class, ttl);
    add_packed(s, sigs);
    out.rrsigs = std::make_shared<const wire::RRset>(std::move(s));
  }
  return out;
}

}  // namespace tern::cache
