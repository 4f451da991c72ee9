// RRsetEntry: one cached RRset in a single allocation: the fixed fields below, then the owner name
// (uncompressed wire, original case) and the RDATAs packed as in wire::RRset ([u16 len][bytes]...).
// After the RDATAs: the DNSSEC status (1 octet), the size of the RRSIGs (4 octets, host order) and
// the RRSIG RDATAs packed the same way (RFC 4035 §4.5: signatures are cached with their data).
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

// Which stored copy of an RRset an entry is (unique per key: a per-shard sequence, see Sharded).
// An answer-cache entry keeps the generation of each RRset it refers to, so a replaced RRset
// invalidates the answer. 32 bits: a false match needs 2^32 inserts into one shard while the
// answer lives (at most max_ttl + stale_window) and then exactly the same value.
using Generation = uint32_t;

struct RRsetEntry : SieveNode {
  // The one-byte fields come first: gcc and clang (Itanium C++ ABI) place them in SieveNode's
  // tail padding, which keeps the fixed part at 56 bytes with the generation (static_assert below).
  Trust trust = Trust::Additional;
  bool prefetch_claimed = false;  // set by the first lookup inside the prefetch window
  uint8_t owner_size = 0;
  Instant expiry;             // absolute; remaining TTL is computed on read
  uint32_t original_ttl = 0;  // as stored (after clamping), for the prefetch window
  uint32_t packed_size = 0;
  Generation generation = 0;
  wire::RRType type{};
  wire::RRClass rclass{};

  std::span<const uint8_t> owner() const {
    return {reinterpret_cast<const uint8_t*>(this + 1), owner_size};
  }
  std::span<const uint8_t> packed() const {
    return {reinterpret_cast<const uint8_t*>(this + 1) + owner_size, packed_size};
  }

  static constexpr size_t kSecurityTailBytes = 5;
  wire::Security security() const;
  std::span<const uint8_t> sigs_packed() const;

  // One block holding the entry and its trailing bytes; bytes = the block's real size.
  static RRsetEntry* create(const wire::RRset& rrset, uint64_t hash, Trust trust, Instant expiry,
                            uint32_t ttl, Generation generation);
  static void destroy(RRsetEntry* e);

  // The stored RRset with `ttl` as its TTL.
  wire::RRset to_rrset(uint32_t ttl) const;
};

static_assert(sizeof(RRsetEntry) == 56, "RRsetEntry's fixed part grew: check the field order");

uint64_t rrset_key_hash(std::span<const uint8_t> owner_wire, wire::RRType type, wire::RRClass rclass);

}  // namespace tern::cache
