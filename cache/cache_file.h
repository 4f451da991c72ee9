// The cache file: what `ternd control cache-save` writes, `cache-load` reads and `[cache]
// persist-file` keeps across a restart — the RRset cache and the negative cache, each entry with
// its absolute expiry (wall clock), so a file loaded later holds only what is still fresh then.
// Bytes in, bytes out: no file I/O here (resolver/server/cache_persist.cpp does it), no clock
// (now is an argument). The format, version 1 (all integers big-endian; docs/cache.md, "Cache
// file"):
//
//   header   "TERNCACH" (8 octets), u16 version = 1, u16 flags = 0, i64 saved-at (ms since the
//            Unix epoch), u32 record count
//   record   u8 kind (1 RRset, 2 NXDOMAIN, 3 NODATA), u8 trust (cache/trust.h, 0..6),
//            i64 expiry (ms since the Unix epoch), name (uncompressed wire: the owner, or the
//            question name of a negative entry), u16 type (RRset type; NODATA: the question type;
//            NXDOMAIN: 0), u16 class, then
//              RRset:    u16 count (>= 1), count x (u16 length, canonical RDATA of the type)
//              negative: u8 has-SOA (0 or 1); if 1: SOA owner name, u16 length, SOA RDATA
//   trailer  u64 FNV-1a of every octet before it
//
// A reader checks everything (magic, version, checksum, every name, every RDATA against its type,
// counts against the bytes left, nothing after the trailer) before the caller stores anything, so
// a corrupt or truncated file is refused whole with an error naming the record and the offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cache/time.h"
#include "cache/trust.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::cache {

class Caches;

inline constexpr uint16_t kCacheFileVersion = 1;
inline constexpr char kCacheFileMagic[8] = {'T', 'E', 'R', 'N', 'C', 'A', 'C', 'H'};

enum class CacheRecordKind : uint8_t { RRset = 1, NxDomain = 2, NoData = 3 };

// One record of the file, as read. `rrset` is the RRset (kind RRset; its ttl is 0) or, for a
// negative entry with an SOA, that SOA set; `name`/`type`/`rclass` the key.
struct CacheRecord {
  CacheRecordKind kind = CacheRecordKind::RRset;
  Trust trust = Trust::Additional;
  Instant expiry;
  wire::Name name;
  wire::RRType type{};
  wire::RRClass rclass{};
  bool has_soa = false;  // negative entries
  wire::RRset rrset;
};

// The trailer's checksum (FNV-1a, 64 bits) of `bytes`: it catches a damaged or cut file, not a
// forged one (the file is the operator's own; nothing untrusted writes it).
uint64_t cache_file_checksum(std::span<const uint8_t> bytes);

struct CacheFileHeader {
  uint16_t version = 0;
  Instant saved;
  uint32_t records = 0;
};

// The file for every fresh RRset and negative entry of `caches` at `now`. Parent-side glue, the
// answer cache (rebuilt from these by the next answers), server state and failures are not kept.
struct EncodedCache {
  std::vector<uint8_t> bytes;
  size_t rrsets = 0;
  size_t negative = 0;
};
EncodedCache encode_cache_file(const Caches& caches, Instant now);

// Checks the whole file; nullopt when it is well-formed, otherwise what is wrong and where.
// With `each`, calls it for every record in order (only for a file that passed the checks).
std::optional<std::string> read_cache_file(std::span<const uint8_t> bytes,
                                           const std::function<void(const CacheRecord&)>& each = {},
                                           CacheFileHeader* header = nullptr);

struct LoadedCache {
  std::string error;     // empty on success; then nothing was stored
  size_t rrsets = 0;     // stored
  size_t negative = 0;   // stored
  size_t expired = 0;    // expired since the save: skipped
  size_t refused = 0;    // not stored by the caches (better data present, too big)
};
// Checks `bytes` whole, then stores every record still fresh at `now`, with its remaining TTL,
// through the same insert paths the engine uses (TTL clamps and trust rules apply).
LoadedCache load_cache_file(Caches& caches, std::span<const uint8_t> bytes, Instant now);

}  // namespace tern::cache
