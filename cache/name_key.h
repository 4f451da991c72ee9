// Helpers for keys built from names in uncompressed wire form: a case-insensitive hash that mixes
// in type and class, case-insensitive byte comparison, and the subdomain test used by flushes.
// Entries keep only the owner's wire bytes (not a 257-byte wire::Name), so these work on spans.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "wire/name.h"

namespace tern::cache {

// Final avalanche (MurmurHash3 fmix64): the low bits pick the bucket, the high bits the shard,
// so every input bit must reach both ends.
constexpr uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// Eight octets at p (fewer at the end: zero-padded), with ASCII A-Z folded to a-z in one go
// (SWAR): a byte is upper case when its low 7 bits are >= 'A' and <= 'Z' and its top bit is clear.
inline uint64_t load_folded(const uint8_t* p, size_t n) {
  uint64_t x = 0;
  std::memcpy(&x, p, n < 8 ? n : 8);
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  uint64_t low7 = x & ~kHigh;
  uint64_t ge_a = low7 + (0x80 - 'A') * kOnes;      // top bit set where byte >= 'A'
  uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * kOnes;  // top bit set where byte > 'Z'
  uint64_t upper = ge_a & ~gt_z & ~x & kHigh;
  return x | (upper >> 2);                           // 0x80 >> 2 = 0x20, the case bit
}

// Case-insensitive hash of a wire-form name plus up to 64 bits of extra key material. Eight
// octets per step: on the hit path this is most of the cost of a lookup after the memory loads.
inline uint64_t hash_name_key(std::span<const uint8_t> name_wire, uint64_t extra) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (extra * 0xc2b2ae3d27d4eb4full) ^ name_wire.size();
  for (size_t off = 0; off < name_wire.size(); off += 8) {
    h = (h ^ load_folded(name_wire.data() + off, name_wire.size() - off)) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
  }
  return mix64(h);
}

// Wire-form names equal ignoring ASCII case. Length octets are < 64, so folding them is harmless.
inline bool wire_equal_ci(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  for (size_t off = 0; off < a.size(); off += 8) {
    if (load_folded(a.data() + off, a.size() - off) != load_folded(b.data() + off, b.size() - off)) {
      return false;
    }
  }
  return true;
}

// True when `name` equals `ancestor` or lies below it (label-aligned, case-insensitive). Both
// are valid uncompressed wire names.
inline bool wire_is_subdomain_ci(std::span<const uint8_t> name, std::span<const uint8_t> ancestor) {
  if (ancestor.size() > name.size()) return false;
  size_t off = 0;
  while (name.size() - off > ancestor.size()) {
    off += size_t(name[off]) + 1;  // skip one label
  }
  return name.size() - off == ancestor.size() && wire_equal_ci(name.subspan(off), ancestor);
}

// Label count of a valid uncompressed wire name (root = 0).
inline size_t wire_label_count(std::span<const uint8_t> name) {
  size_t labels = 0;
  for (size_t off = 0; off < name.size() && name[off] != 0; off += size_t(name[off]) + 1) ++labels;
  return labels;
}

// Bytes glibc malloc really takes for a request of n bytes: an 8-byte header, 16-byte granules,
// 32 bytes at least. Used so the budget counts what the process pays, not what it asked for.
constexpr size_t allocation_bytes(size_t n) {
  size_t chunk = (n + 8 + 15) & ~size_t(15);
  return chunk < 32 ? 32 : chunk;
}

}  // namespace tern::cache
