#include "cache/rrset_entry.h"

#include <cstring>
#include <new>

#include "cache/name_key.h"
#include "cache/rrset_blob.h"

namespace tern::cache {

uint64_t rrset_key_hash(std::span<const uint8_t> owner_wire, wire::RRType type,
                        wire::RRClass rclass) {
  return hash_name_key(owner_wire, uint64_t(type) << 16 | uint64_t(rclass));
}

RRsetEntry* RRsetEntry::create(const wire::RRset& rrset, uint64_t hash, Trust trust,
                               Instant expiry, uint32_t ttl, Generation generation) {
  auto owner = rrset.owner.wire();
  auto packed = rrset.packed();
  auto sigs = rrset.rrsigs ? rrset.rrsigs->packed() : std::span<const uint8_t>{};
  size_t size = sizeof(RRsetEntry) + owner.size() + packed.size() + kSecurityTailBytes + sigs.size();
  void* mem = ::operator new(size);
  auto* e = new (mem) RRsetEntry();
  e->hash = hash;
  e->bytes = uint32_t(allocation_bytes(size));
  e->expiry = expiry;
  e->generation = generation;
  e->original_ttl = ttl;
  e->packed_size = uint32_t(packed.size());
  e->type = rrset.type;
  e->rclass = rrset.rclass;
  e->trust = trust;
  e->owner_size = uint8_t(owner.size());
  auto* tail = reinterpret_cast<uint8_t*>(e + 1);
  std::memcpy(tail, owner.data(), owner.size());
  if (!packed.empty()) std::memcpy(tail + owner.size(), packed.data(), packed.size());
  uint8_t* sec = tail + owner.size() + packed.size();
  sec[0] = uint8_t(rrset.security);
  uint32_t sig_size = uint32_t(sigs.size());
  std::memcpy(sec + 1, &sig_size, 4);
  if (!sigs.empty()) std::memcpy(sec + kSecurityTailBytes, sigs.data(), sigs.size());
  return e;
}

void RRsetEntry::destroy(RRsetEntry* e) {
  e->~RRsetEntry();
  ::operator delete(e);
}

wire::Security RRsetEntry::security() const {
  return wire::Security(*(reinterpret_cast<const uint8_t*>(this + 1) + owner_size + packed_size));
}

std::span<const uint8_t> RRsetEntry::sigs_packed() const {
  const uint8_t* sec = reinterpret_cast<const uint8_t*>(this + 1) + owner_size + packed_size;
  uint32_t sig_size = 0;
  std::memcpy(&sig_size, sec + 1, 4);
  return {sec + kSecurityTailBytes, sig_size};
}

wire::RRset RRsetEntry::to_rrset(uint32_t ttl) const {
  wire::RRset out(wire::Name::from_wire_unchecked(owner(), wire_label_count(owner())), type, rclass, ttl);
  add_packed(out, packed());
  out.security = security();
  if (auto sigs = sigs_packed(); !sigs.empty()) {
    wire::RRset s(out.owner, wire::RRType::RRSIG, rclass, ttl);
    add_packed(s, sigs);
    out.rrsigs = std::make_shared<const wire::RRset>(std::move(s));
  }
  return out;
}

}  // namespace tern::cache
