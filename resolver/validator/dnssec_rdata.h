// Typed views of the DNSSEC record types' RDATA (RFC 4034 §2-5, RFC 5155 §3). Each parse checks
// the structure and returns nullopt for anything malformed; spans point into the given RDATA.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "wire/name.h"
#include "wire/rr_type.h"

namespace tern::validator {

// DNSSEC algorithm numbers (IANA "DNS Security Algorithm Numbers").
enum class Algorithm : uint8_t {
  RsaMd5 = 1,
  RsaSha1 = 5,
  RsaSha1Nsec3Sha1 = 7,
  RsaSha256 = 8,
  RsaSha512 = 10,
  EcdsaP256Sha256 = 13,
  EcdsaP384Sha384 = 14,
  Ed25519 = 15,
  Ed448 = 16,
};
// DS digest types (IANA "Delegation Signer (DS) Resource Record Digest Algorithms").
enum class DigestType : uint8_t { Sha1 = 1, Sha256 = 2, Sha384 = 4 };

bool algorithm_supported(uint8_t algorithm);  // 5 7 8 10 13 14 15 16
bool digest_supported(uint8_t digest_type);   // 1 2 4

struct RrsigData {
  wire::RRType type_covered = wire::RRType::A;
  uint8_t algorithm = 0;
  uint8_t labels = 0;
  uint32_t original_ttl = 0;
  uint32_t expiration = 0;
  uint32_t inception = 0;
  uint16_t key_tag = 0;
  wire::Name signer;
  std::span<const uint8_t> fixed_fields;  // the 18 octets before the signer name
  std::span<const uint8_t> signature;
};
std::optional<RrsigData> parse_rrsig(std::span<const uint8_t> rdata);

inline constexpr uint16_t kDnskeyFlagZone = 0x0100;    // RFC 4034 §2.1.1
inline constexpr uint16_t kDnskeyFlagRevoke = 0x0080;  // RFC 5011 §2.1
inline constexpr uint16_t kDnskeyFlagSep = 0x0001;     // RFC 4034 §2.1.1
inline constexpr uint8_t kDnskeyProtocol = 3;          // RFC 4034 §2.1.2

struct DnskeyData {
  uint16_t flags = 0;
  uint8_t protocol = 0;
  uint8_t algorithm = 0;
  std::span<const uint8_t> public_key;
  // A key that may verify RRSIGs: zone key bit set, not revoked, protocol 3.
  bool usable_for_zone() const {
    return (flags & kDnskeyFlagZone) && !(flags & kDnskeyFlagRevoke) && protocol == kDnskeyProtocol;
  }
};
std::optional<DnskeyData> parse_dnskey(std::span<const uint8_t> rdata);

struct DsData {
  uint16_t key_tag = 0;
  uint8_t algorithm = 0;
  uint8_t digest_type = 0;
  std::span<const uint8_t> digest;
};
std::optional<DsData> parse_ds(std::span<const uint8_t> rdata);

struct NsecData {
  wire::Name next;
  std::span<const uint8_t> type_bitmap;
};
std::optional<NsecData> parse_nsec(std::span<const uint8_t> rdata);

inline constexpr uint8_t kNsec3FlagOptOut = 0x01;  // RFC 5155 §3.1.2.1
inline constexpr uint8_t kNsec3HashSha1 = 1;

struct Nsec3Data {
  uint8_t hash_algorithm = 0;
  uint8_t flags = 0;
  uint16_t iterations = 0;
  std::span<const uint8_t> salt;
  std::span<const uint8_t> next_hashed;  // raw hash (20 octets for SHA-1)
  std::span<const uint8_t> type_bitmap;
  bool opt_out() const { return flags & kNsec3FlagOptOut; }
};
std::optional<Nsec3Data> parse_nsec3(std::span<const uint8_t> rdata);

// RFC 4034 §4.1.2 type bit maps: is `type` present?
bool bitmap_has_type(std::span<const uint8_t> bitmap, wire::RRType type);

}  // namespace tern::validator
