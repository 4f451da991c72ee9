#include "cache/rrset_entry.h"

#include <cstring>
#include <new>

#include "cache/name_key.h"

namespace tern::cache {

uint64_t rrset_key_hash(std::span<const uint8_t> owner_wire, wire::RRType type,
                        wire::RRClass rclass) {
  return hash_name_key(owner_wire, uint64_t(type) << 16 | uint64_t(rclass));
}

RRsetEntry* RRsetEntry::create(const wire::RRset& rrset, uint64_t hash, Trust trust,
                               Instant expiry, uint32_t ttl, Generation generation) {
  auto owner = rrset.owner.wire();
  auto packed = rrset.packed();
  size_t size = sizeof(RRsetEntry) + owner.size() + packed.size();
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
  return e;
}

void RRsetEntry::destroy(RRsetEntry* e) {
  e->~RRsetEntry();
  ::operator delete(e);
}

wire::RRset RRsetEntry::to_rrset(uint32_t ttl) const {
  wire::RRset out(wire::Name::from_wire_unchecked(owner(), wire_label_count(owner())), type, rclass, ttl);
  auto p = packed();
  out.reserve(p.size());
  for (size_t off = 0; off + 2 <= p.size();) {
    size_t len = size_t(p[off]) << 8 | p[off + 1];
    out.add(p.subspan(off + 2, len));
    off += 2 + len;
  }
  return out;
}

}  // namespace tern::cache
