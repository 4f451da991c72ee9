// NegativeEntry: one cached NXDOMAIN (per name) or NODATA (per name and type) in a single
// allocation: fixed fields, then the query name, the SOA owner and the SOA RDATA (RFC 2308 §5
// keeps the SOA so the cached answer can carry it in the authority section). A NODATA an
// authoritative server sent without any SOA is kept without one: both SOA parts are then empty
// (a real SOA owner is never empty: the root is one byte).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "cache/sieve_store.h"
#include "cache/time.h"
#include "cache/trust.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::cache {

enum class NegativeKind : uint8_t { NxDomain, NoData };

struct NegativeEntry : SieveNode {
  Instant expiry;
  uint32_t original_ttl = 0;
  wire::RRType qtype{};  // NODATA only; ignored for NXDOMAIN
  wire::RRClass qclass{};
  wire::RRClass soa_class{};
  NegativeKind kind = NegativeKind::NoData;
  Trust trust = Trust::Additional;
  bool prefetch_claimed = false;
  uint8_t name_size = 0;
  uint8_t soa_owner_size = 0;
  uint8_t soa_owner_labels = 0;
  uint16_t soa_rdata_size = 0;

  const uint8_t* tail() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  std::span<const uint8_t> name() const { return {tail(), name_size}; }
  std::span<const uint8_t> soa_owner() const { return {tail() + name_size, soa_owner_size}; }
  std::span<const uint8_t> soa_rdata() const {
    return {tail() + name_size + soa_owner_size, soa_rdata_size};
  }

  bool has_soa() const { return soa_owner_size != 0; }
  // After the SOA RDATA: the DNSSEC status of the denial (1 octet: the SOA set's status when
  // stored; Indeterminate without SOA), the SOA's RRSIGs ([u32 size][packed]) and the proof
  // RRsets (NSEC/NSEC3 with their RRSIGs, [u32 size][rrset_blob.h]).
  wire::Security security() const {
    return wire::Security(tail()[name_size + soa_owner_size + soa_rdata_size]);
  }
  std::span<const uint8_t> soa_sigs() const { return sized(name_size + soa_owner_size + soa_rdata_size + 1); }
  std::span<const uint8_t> proof_blob() const {
    return sized(name_size + soa_owner_size + soa_rdata_size + 1 + 4 + soa_sigs().size());
  }
  std::span<const uint8_t> sized(size_t off) const {
    uint32_t n = 0;
    std::memcpy(&n, tail() + off, 4);
    return {tail() + off + 4, n};
  }

  // `soa_rdata` is the first RDATA of `soa`; `soa` null: an entry without SOA.
  static NegativeEntry* create(NegativeKind kind, const wire::Name& name, wire::RRType qtype,
                               wire::RRClass qclass, const wire::RRset* soa,
                               std::span<const uint8_t> soa_rdata, uint64_t hash, Trust trust,
                               Instant expiry, uint32_t ttl,
                               std::span<const wire::RRset> proof = {});
  static void destroy(NegativeEntry* e);

  // Only when has_soa().
  wire::RRset soa_rrset(uint32_t ttl) const;
};

// NXDOMAIN keys ignore the type; the kind is part of the key so NODATA for any type never
// collides with NXDOMAIN.
uint64_t negative_key_hash(std::span<const uint8_t> name, NegativeKind kind, wire::RRType qtype,
                           wire::RRClass qclass);

}  // namespace tern::cache
