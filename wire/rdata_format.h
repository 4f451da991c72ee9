// Internal: the RDATA layout of each known type as a list of fields. One table drives
// validation, decompression and presentation text, so a type's rules live in one place.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wire/rr_type.h"
#include "wire/wire_error.h"

namespace tern::wire::detail {

enum class Field : uint8_t {
  U8,
  U16,
  U32,
  Time,         // u32 seconds since epoch, printed YYYYMMDDHHmmSS (RRSIG)
  TypeU16,      // u16 RR type, printed as mnemonic (RRSIG type covered)
  Ipv4,         // 4 octets
  Ipv6,         // 16 octets
  Name,         // domain name; compressed on the wire only for RFC 1035 types
  CharString,   // <u8 length><bytes>
  CharStrings,  // one or more char-strings to the end (TXT)
  Base64Rest,   // opaque bytes to the end, base64 in text
  HexRest,      // opaque bytes to the end, hex in text
  TypeBitmap,   // NSEC/NSEC3 window blocks to the end
  Salt,         // <u8 length><bytes>, hex or "-" in text
  Hash,         // <u8 length><bytes>, base32hex in text (NSEC3 next hashed owner)
  CaaTag,       // <u8 length 1..><alnum bytes>
  CaaValue,     // bytes to the end, quoted in text
  EdnsOptions,  // (<u16 code><u16 len><data>)* to the end
  SvcParams,    // (<u16 key><u16 len><value>)* to the end, keys strictly increasing
};

struct Format {
  std::array<Field, 10> fields{};
  uint8_t count = 0;
  std::span<const Field> list() const { return {fields.data(), count}; }
};

// nullptr for types handled as opaque RFC 3597 data. Points into a static table.
const Format* format_of(RRType type);

// Walks RDATA at [offset, offset+length) of `packet`, checking it against the type's layout.
// Names may use compression pointers into the packet only when `allow_compression`. When `out`
// is given, appends the canonical (decompressed) RDATA to it. nullopt = valid.
std::optional<WireError> walk_rdata(std::span<const uint8_t> packet, size_t offset, size_t length,
                                    RRType type, bool allow_compression, std::vector<uint8_t>* out);

// Structure checks for the fields whose content has rules beyond length.
bool valid_type_bitmap(std::span<const uint8_t> bitmap);

}  // namespace tern::wire::detail
