#include "cache/rrset_blob.h"

#include <cstring>
#include <memory>

#include "cache/name_key.h"

namespace tern::cache {

namespace {

void put32(std::vector<uint8_t>& out, uint32_t v) {
  uint8_t b[4];
  std::memcpy(b, &v, 4);
  out.insert(out.end(), b, b + 4);
}

}  // namespace

void add_packed(wire::RRset& out, std::span<const uint8_t> p) {
  out.reserve(p.size());
  for (size_t off = 0; off + 2 <= p.size();) {
    size_t len = size_t(p[off]) << 8 | p[off + 1];
    if (off + 2 + len > p.size()) break;
    out.add(p.subspan(off + 2, len));
    off += 2 + len;
  }
}

// Per set: [u8 owner size][owner][u16 type][u16 class][u8 security][u32 size][packed]
// [u32 size][RRSIGs packed]; integers in host order (the bytes never leave the process).
void append_rrsets(std::vector<uint8_t>& out, std::span<const wire::RRset> sets) {
  for (const auto& s : sets) {
    auto owner = s.owner.wire();
    out.push_back(uint8_t(owner.size()));
    out.insert(out.end(), owner.begin(), owner.end());
    uint16_t type = uint16_t(s.type), rclass = uint16_t(s.rclass);
    out.push_back(uint8_t(type >> 8));
    out.push_back(uint8_t(type));
    out.push_back(uint8_t(rclass >> 8));
    out.push_back(uint8_t(rclass));
    out.push_back(uint8_t(s.security));
    auto packed = s.packed();
    put32(out, uint32_t(packed.size()));
    out.insert(out.end(), packed.begin(), packed.end());
    auto sigs = s.rrsigs ? s.rrsigs->packed() : std::span<const uint8_t>{};
    put32(out, uint32_t(sigs.size()));
    out.insert(out.end(), sigs.begin(), sigs.end());
  }
}

std::vector<wire::RRset> read_rrsets(std::span<const uint8_t> b, uint32_t ttl) {
  std::vector<wire::RRset> out;
  size_t p = 0;
  auto get32 = [&](uint32_t& v) {
    if (p + 4 > b.size()) return false;
    std::memcpy(&v, b.data() + p, 4);
    p += 4;
    return true;
  };
  while (p < b.size()) {
    size_t owner_size = b[p++];
    if (owner_size == 0 || p + owner_size + 5 > b.size()) break;
    auto owner_wire = b.subspan(p, owner_size);
    p += owner_size;
    auto type = wire::RRType(uint16_t(b[p] << 8 | b[p + 1]));
    auto rclass = wire::RRClass(uint16_t(b[p + 2] << 8 | b[p + 3]));
    auto security = wire::Security(b[p + 4]);
    p += 5;
    uint32_t size = 0;
    if (!get32(size) || p + size > b.size()) break;
    wire::RRset s(wire::Name::from_wire_unchecked(owner_wire, wire_label_count(owner_wire)), type,
                  rclass, ttl);
    add_packed(s, b.subspan(p, size));
    p += size;
    if (!get32(size) || p + size > b.size()) break;
    if (size) {
      wire::RRset sigs(s.owner, wire::RRType::RRSIG, rclass, ttl);
      add_packed(sigs, b.subspan(p, size));
      s.rrsigs = std::make_shared<const wire::RRset>(std::move(sigs));
    }
    p += size;
    s.security = security;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tern::cache
