// RRsets (with their RRSIGs and DNSSEC status) flattened into bytes inside a cache entry: a
// negative entry keeps the NSEC/NSEC3 proof of its denial this way (RFC 4035 §3.1.3: a DO
// client gets it with a cached denial too). Written and read only by the cache itself.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wire/rrset.h"

namespace tern::cache {

void append_rrsets(std::vector<uint8_t>& out, std::span<const wire::RRset> sets);
// Every set of the blob, each with `ttl` as its TTL. Stops at the first malformed part.
std::vector<wire::RRset> read_rrsets(std::span<const uint8_t> blob, uint32_t ttl);
// The packed RDATAs ([u16 length][bytes]...) added to `out`.
void add_packed(wire::RRset& out, std::span<const uint8_t> packed);

}  // namespace tern::cache
