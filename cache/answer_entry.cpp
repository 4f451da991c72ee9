#include "cache/answer_entry.h"

#include <new>

#include "cache/name_key.h"

namespace tern::cache {
namespace {

void put16(uint8_t*& p, uint16_t v) {
  *p++ = uint8_t(v >> 8);
  *p++ = uint8_t(v);
}

// A name equal to the qname is stored as size 0: the owner of the first RRset of most answers.
std::span<const uint8_t> stored_name(std::span<const uint8_t> name, std::span<const uint8_t> qname) {
  return wire_equal_ci(name, qname) ? std::span<const uint8_t>() : name;
}

}  // namespace

uint64_t answer_key_hash(std::span<const uint8_t> qname, wire::RRType qtype, wire::RRClass qclass,
                         uint8_t flags) {
  return hash_name_key(qname, uint64_t(flags) << 32 | uint64_t(qtype) << 16 | uint64_t(qclass));
}

AnswerEntry* AnswerEntry::create(std::span<const uint8_t> qname, wire::RRType qtype,
                                 wire::RRClass qclass, uint8_t flags, wire::Rcode rcode,
                                 std::span<const AnswerRefInput> refs,
                                 const std::optional<NegativeRef>& negative, uint64_t hash,
                                 Instant expiry) {
  size_t refs_size = 0;
  for (const auto& r : refs) refs_size += 9 + stored_name(r.owner, qname).size();
  size_t neg_size = negative ? 5 + stored_name(negative->name, qname).size() : 0;
  size_t size = sizeof(AnswerEntry) + qname.size() + refs_size + neg_size;
  void* mem = ::operator new(size);
  auto* e = new (mem) AnswerEntry();
  e->hash = hash;
  e->bytes = uint32_t(allocation_bytes(size));
  e->expiry = expiry;
  e->qtype = qtype;
  e->qclass = qclass;
  e->rcode = rcode;
  e->flags = flags;
  e->qname_size = uint8_t(qname.size());
  e->has_negative = negative.has_value();
  e->refs_size = uint16_t(refs_size);
  auto* p = reinterpret_cast<uint8_t*>(e + 1);
  std::memcpy(p, qname.data(), qname.size());
  p += qname.size();
  // References are written section by section so for_each_ref reads them back in that order.
  for (size_t s = 0; s < kAnswerSections; ++s) {
    for (const auto& r : refs) {
      if (size_t(r.section) != s) continue;
      ++e->counts[s];
      std::memcpy(p, &r.generation, 4);
      p += 4;
      put16(p, uint16_t(r.type));
      put16(p, uint16_t(r.rclass));
      auto owner = stored_name(r.owner, qname);
      *p++ = uint8_t(owner.size());
      if (!owner.empty()) std::memcpy(p, owner.data(), owner.size());
      p += owner.size();
    }
  }
  if (negative) {
    put16(p, uint16_t(negative->type));
    put16(p, uint16_t(negative->rclass));
    auto name = stored_name(negative->name, qname);
    *p++ = uint8_t(name.size());
    if (!name.empty()) std::memcpy(p, name.data(), name.size());
  }
  return e;
}

void AnswerEntry::destroy(AnswerEntry* e) {
  e->~AnswerEntry();
  ::operator delete(e);
}

}  // namespace tern::cache
