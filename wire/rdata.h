// RDATA: validation per type, decompression to the canonical form, presentation text, and typed
// accessors. Canonical RDATA = uncompressed, names in their original case: what RRset stores and
// what MessageBuilder takes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/message_view.h"
#include "wire/name.h"
#include "wire/result.h"
#include "wire/rr_type.h"
#include "wire/wire_error.h"

namespace tern::wire {

using Bytes = std::vector<uint8_t>;

// RDATA of `rec` in canonical form: names decompressed for the types of
// rdata_decompress_on_receipt (RFC 3597 §4).
Result<Bytes, WireError> decompress_rdata(const MessageView& msg, const RecordView& rec);
// Same, from raw coordinates in a packet (used by MessageView::parse to validate in place).
Result<Bytes, WireError> decompress_rdata(std::span<const uint8_t> packet, size_t rdata_offset,
                                          size_t rdlength, RRType type);
// Validates RDATA found at `rdata_offset` in `packet` without copying: names may be compressed
// only for the RFC 1035 types; structure must match the type exactly. nullopt = valid.
std::optional<WireError> validate_rdata_in_packet(std::span<const uint8_t> packet,
                                                  size_t rdata_offset, size_t rdlength, RRType type);
// Structure check of canonical (uncompressed) RDATA. nullopt = valid. Unknown types: any bytes.
std::optional<WireError> validate_rdata(RRType type, std::span<const uint8_t> canonical_rdata);

// Zone-file syntax ("10 mail.example.com."). Invalid RDATA prints as RFC 3597 "\# n hex".
std::string rdata_to_text(RRType type, std::span<const uint8_t> canonical_rdata);
// Parses zone-file RDATA for `type`; relative names use origin. "\# 4 0a000001" is accepted for
// every type (RFC 3597 §5) and then validated against the type.
Result<Bytes, WireError> rdata_from_text(RRType type, std::string_view text, const Name& origin);

// Typed accessors for the engine (nullopt when the RDATA does not match the type).
std::optional<Name> rdata_target(RRType type, std::span<const uint8_t> rdata);  // NS CNAME DNAME PTR MX SRV

struct SoaData {
  Name mname, rname;
  uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
std::optional<SoaData> parse_soa(std::span<const uint8_t> rdata);

struct MxData {
  uint16_t preference = 0;
  Name exchange;
};
std::optional<MxData> parse_mx(std::span<const uint8_t> rdata);

struct SrvData {
  uint16_t priority = 0, weight = 0, port = 0;
  Name target;
};
std::optional<SrvData> parse_srv(std::span<const uint8_t> rdata);

std::optional<std::array<uint8_t, 4>> rdata_a(std::span<const uint8_t> rdata);
std::optional<std::array<uint8_t, 16>> rdata_aaaa(std::span<const uint8_t> rdata);

}  // namespace tern::wire
