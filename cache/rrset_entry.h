// RRsetEntry: one cached RRset in a single allocation: the fixed fields below, then the owner name
// (uncompressed wire, original case) and the RDATAs packed as in wire::RRset ([u16 len][bytes]...).
// A wire::RRset carries a 257-byte inline Name; storing the owner's real length instead keeps a
// typical A entry near 100 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "cache/sieve_store.h"
#include "cache/time.h"
#include "cache/trust.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::cache {

struct RRsetEntry : SieveNode {
  Instant expiry;             // absolute; remaining TTL is computed on read
  // Which stored copy this is (unique per key: a per-shard sequence). An answer-cache entry keeps
  // the generation of each RRset it refers to, so a replaced RRset invalidates the answer.
  uint64_t generation = 0;
  uint32_t original_ttl = 0;  // as stored (after clamping), for the prefetch window
  uint32_t packed_size = 0;
  wire::RRType type{};
  wire::RRClass rclass{};
  Trust trust = Trust::Additional;
  bool prefetch_claimed = false;  // set by the first lookup inside the prefetch window
  uint8_t owner_size = 0;
  uint8_t owner_labels = 0;

  std::span<const uint8_t> owner() const {
    return {reinterpret_cast<const uint8_t*>(this + 1), owner_size};
  }
  std::span<const uint8_t> packed() const {
    return {reinterpret_cast<const uint8_t*>(this + 1) + owner_size, packed_size};
  }

  // One block holding the entry and its trailing bytes; bytes = the block's real size.
  static RRsetEntry* create(const wire::RRset& rrset, uint64_t hash, Trust trust, Instant expiry,
                            uint32_t ttl, uint64_t generation);
  static void destroy(RRsetEntry* e);

  // The stored RRset with `ttl` as its TTL.
  wire::RRset to_rrset(uint32_t ttl) const;
};

uint64_t rrset_key_hash(std::span<const uint8_t> owner_wire, wire::RRType type, wire::RRClass rclass);

}  // namespace tern::cache
