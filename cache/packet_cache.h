// PacketCache: encoded responses, one cache per worker thread (no locks), checked before any
// resolution, as PowerDNS's packet cache and dnsdist do. Keyed by the normalised question
// (case-folded qname, qtype, qclass) plus the query flags that change an answer (RD, CD, AD, DO,
// EDNS present, EDNS size class, TCP). On a hit the stored bytes are copied into the caller's
// buffer and patched: the query's ID, the query's qname spelling (0x20 case randomisation by the
// client survives), and every TTL (stored as its offset; remaining = stored TTL - seconds since
// insert). The question is compared in full after the hash matches, so a hash collision is a miss,
// never a wrong answer. Bounded in bytes with SIEVE like the shared caches.
//
// The entry lives as long as its smallest TTL; a TTL-0 response is never stored. Insert only
// responses whose bytes do not depend on the client (no cookie, no ECS): they are served as-is to
// anyone whose query has the same key. An operator flush bumps Caches' flush epoch, and every
// PacketCache drops its entries the next time it is used.
//
// Prefetch: a hit in the last 10% of the entry's stored lifetime reports `prefetch_due` once per
// stored entry (the entry keeps a flag), so a flood of hits on a popular name asks the caller for
// one background refresh. The refreshed response replaces the entry through insert().
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cache/packet_key.h"
#include "cache/sieve_store.h"
#include "cache/time.h"

namespace tern::cache {

struct PacketEntry : SieveNode {
  Instant inserted;
  Instant expiry;
  uint16_t flags = 0;
  uint16_t response_size = 0;
  uint16_t ttl_count = 0;
  uint8_t qname_size = 0;
  bool prefetch_asked = false;  // a hit already reported prefetch_due for this stored copy

  const uint8_t* response() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  const uint8_t* ttl_offsets() const { return response() + response_size; }  // u16 each, unaligned
  static void destroy(PacketEntry* e);
};

// Hash of (qname, extra key bits); injectable so a test can force collisions.
using PacketHashFn = uint64_t (*)(std::span<const uint8_t> qname_wire, uint64_t extra);

class PacketCache {
 public:
  // `flush_epoch`: Caches::flush_epoch() (or nullptr); `hash`: nullptr = the default hash.
  explicit PacketCache(size_t budget_bytes, uint32_t max_ttl = 86400,
                       const std::atomic<uint64_t>* flush_epoch = nullptr,
                       PacketHashFn hash = nullptr);

  // On a hit writes the patched response into `out` (resized; its capacity is reused) and
  // returns true. Expired entries are removed and miss. When `prefetch_due` is given, it is set
  // to whether this hit is the first one in the last 10% of the entry's lifetime (remaining * 10
  // <= stored TTL): the caller should refresh the entry in the background.
  bool lookup(std::span<const uint8_t> query, Instant now, std::vector<uint8_t>& out,
              bool tcp = false, bool* prefetch_due = nullptr);
  bool lookup(const PacketKey& key, Instant now, std::vector<uint8_t>& out,
              bool* prefetch_due = nullptr);

  // Stores `response` (which must answer `query`'s question, rcode NOERROR or NXDOMAIN) for the
  // smallest TTL among its records, at most max_ttl; a response without records needs
  // `ttl_if_no_records`. Returns false when not stored (not cacheable, TTL 0, too big).
  bool insert(std::span<const uint8_t> query, std::span<const uint8_t> response, Instant now,
              bool tcp = false, std::optional<uint32_t> ttl_if_no_records = std::nullopt);

  void clear();
  size_t memory_bytes() const { return store_.bytes() + sizeof(*this); }
  size_t size() const { return store_.count(); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  uint64_t hash_key(const PacketKey& key) const;
  PacketEntry* find(const PacketKey& key, uint64_t hash);
  void check_epoch();

  SieveStore<PacketEntry> store_;
  uint32_t max_ttl_;
  const std::atomic<uint64_t>* flush_epoch_;
  uint64_t seen_epoch_ = 0;
  PacketHashFn hash_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace tern::cache
