#include "resolver/validator/dnssec_rdata.h"

namespace tern::validator {
namespace {

uint16_t u16(std::span<const uint8_t> d, size_t at) { return uint16_t(d[at] << 8 | d[at + 1]); }
uint32_t u32(std::span<const uint8_t> d, size_t at) {
  return uint32_t(d[at]) << 24 | uint32_t(d[at + 1]) << 16 | uint32_t(d[at + 2]) << 8 | d[at + 3];
}

// The uncompressed name at `at`: its length in octets, or 0 when malformed.
size_t name_length(std::span<const uint8_t> d, size_t at) {
  size_t pos = at;
  while (pos < d.size()) {
    uint8_t len = d[pos];
    if (len == 0) return pos + 1 - at;
    if (len > wire::Name::kMaxLabelSize) return 0;
    pos += 1 + size_t(len);
  }
  return 0;
}

std::optional<wire::Name> name_at(std::span<const uint8_t> d, size_t at, size_t& length) {
  length = name_length(d, at);
  if (length == 0) return std::nullopt;
  auto n = wire::Name::from_wire(d.subspan(at, length));
  if (!n) return std::nullopt;
  return *n;
}

}  // namespace

bool algorithm_supported(uint8_t a) {
  switch (a) {
    case 5: case 7: case 8: case 10: case 13: case 14: case 15: case 16: return true;
    default: return false;
  }
}

bool digest_supported(uint8_t d) { return d == 1 || d == 2 || d == 4; }

std::optional<RrsigData> parse_rrsig(std::span<const uint8_t> d) {
  if (d.size() < 19) return std::nullopt;
  RrsigData r;
  r.type_covered = wire::RRType(u16(d, 0));
  r.algorithm = d[2];
  r.labels = d[3];
  r.original_ttl = u32(d, 4);
  r.expiration = u32(d, 8);
  r.inception = u32(d, 12);
  r.key_tag = u16(d, 16);
  size_t len = 0;
  auto signer = name_at(d, 18, len);
  if (!signer) return std::nullopt;
  r.signer = *signer;
  r.fixed_fields = d.subspan(0, 18);
  r.signature = d.subspan(18 + len);
  if (r.signature.empty()) return std::nullopt;
  return r;
}

std::optional<DnskeyData> parse_dnskey(std::span<const uint8_t> d) {
  if (d.size() < 5) return std::nullopt;
  return DnskeyData{u16(d, 0), d[2], d[3], d.subspan(4)};
}

std::optional<DsData> parse_ds(std::span<const uint8_t> d) {
  if (d.size() < 5) return std::nullopt;
  return DsData{u16(d, 0), d[2], d[3], d.subspan(4)};
}

std::optional<NsecData> parse_nsec(std::span<const uint8_t> d) {
  size_t len = 0;
  auto next = name_at(d, 0, len);
  if (!next) return std::nullopt;
  return NsecData{*next, d.subspan(len)};
}

std::optional<Nsec3Data> parse_nsec3(std::span<const uint8_t> d) {
  if (d.size() < 5) return std::nullopt;
  Nsec3Data r;
  r.hash_algorithm = d[0];
  r.flags = d[1];
  r.iterations = u16(d, 2);
  size_t salt_len = d[4];
  if (5 + salt_len + 1 > d.size()) return std::nullopt;
  r.salt = d.subspan(5, salt_len);
  size_t hash_len = d[5 + salt_len];
  size_t at = 6 + salt_len;
  if (hash_len == 0 || at + hash_len > d.size()) return std::nullopt;
  r.next_hashed = d.subspan(at, hash_len);
  r.type_bitmap = d.subspan(at + hash_len);
  return r;
}

bool bitmap_has_type(std::span<const uint8_t> b, wire::RRType type) {
  uint16_t t = uint16_t(type);
  uint8_t window = uint8_t(t >> 8), bit = uint8_t(t & 0xff);
  size_t pos = 0;
  while (pos + 2 <= b.size()) {
    uint8_t w = b[pos];
    size_t len = b[pos + 1];
    if (pos + 2 + len > b.size()) return false;
    if (w == window) {
      size_t octet = bit / 8;
      return octet < len && (b[pos + 2 + octet] & (0x80 >> (bit % 8)));
    }
    pos += 2 + len;
  }
  return false;
}

}  // namespace tern::validator
