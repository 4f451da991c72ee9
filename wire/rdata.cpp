// RDATA on the wire: validation, decompression and typed accessors. Text lives in rdata_text.cpp.
#include "wire/rdata.h"

#include <cstring>

#include "wire/rdata_format.h"

namespace tern::wire {
namespace {

uint16_t rd16(std::span<const uint8_t> p, size_t at) { return uint16_t(p[at] << 8 | p[at + 1]); }
uint32_t rd32(std::span<const uint8_t> p, size_t at) {
  return uint32_t(p[at]) << 24 | uint32_t(p[at + 1]) << 16 | uint32_t(p[at + 2]) << 8 | p[at + 3];
}

// Reads an uncompressed name at `pos` of canonical RDATA and advances pos.
std::optional<Name> read_name(std::span<const uint8_t> rdata, size_t& pos) {
  size_t start = pos, labels = 0;
  while (true) {
    if (pos >= rdata.size()) return std::nullopt;
    uint8_t len = rdata[pos];
    if (len == 0) break;
    if (len & 0xc0) return std::nullopt;
    pos += 1 + size_t(len);
    ++labels;
    if (pos - start + 1 > Name::kMaxWireSize) return std::nullopt;
  }
  ++pos;
  if (pos > rdata.size()) return std::nullopt;
  return Name::from_wire_unchecked(rdata.subspan(start, pos - start), labels);
}

}  // namespace

Result<Bytes, WireError> decompress_rdata(std::span<const uint8_t> packet, size_t rdata_offset,
                                          size_t rdlength, RRType type) {
  Bytes out;
  out.reserve(rdlength + 16);
  if (auto e = detail::walk_rdata(packet, rdata_offset, rdlength, type,
                                  rdata_decompress_on_receipt(type), &out)) {
    return fail(*e);
  }
  return out;
}

Result<Bytes, WireError> decompress_rdata(const MessageView& msg, const RecordView& rec) {
  return decompress_rdata(msg.packet(), rec.rdata_offset(), rec.rdata().size(), rec.type());
}

std::optional<WireError> validate_rdata_in_packet(std::span<const uint8_t> packet,
                                                  size_t rdata_offset, size_t rdlength,
                                                  RRType type) {
  return detail::walk_rdata(packet, rdata_offset, rdlength, type,
                            rdata_decompress_on_receipt(type), nullptr);
}

std::optional<WireError> validate_rdata(RRType type, std::span<const uint8_t> rdata) {
  auto e = detail::walk_rdata(rdata, 0, rdata.size(), type, false, nullptr);
  // Canonical RDATA has no packet around it: any pointer is a structural error.
  if (e && (*e == WireError::CompressedRdata || *e == WireError::PointerNotBackward ||
            *e == WireError::PointerOutOfRange || *e == WireError::PointerLoop)) {
    return WireError::BadRdata;
  }
  return e;
}

std::optional<Name> rdata_target(RRType type, std::span<const uint8_t> rdata) {
  size_t pos = 0;
  switch (type) {
    case RRType::NS: case RRType::CNAME: case RRType::DNAME: case RRType::PTR: break;
    case RRType::MX: pos = 2; break;
    case RRType::SRV: pos = 6; break;
    default: return std::nullopt;
  }
  if (validate_rdata(type, rdata)) return std::nullopt;
  return read_name(rdata, pos);
}

std::optional<SoaData> parse_soa(std::span<const uint8_t> rdata) {
  if (validate_rdata(RRType::SOA, rdata)) return std::nullopt;
  size_t pos = 0;
  SoaData s;
  s.mname = *read_name(rdata, pos);
  s.rname = *read_name(rdata, pos);
  s.serial = rd32(rdata, pos);
  s.refresh = rd32(rdata, pos + 4);
  s.retry = rd32(rdata, pos + 8);
  s.expire = rd32(rdata, pos + 12);
  s.minimum = rd32(rdata, pos + 16);
  return s;
}

std::optional<MxData> parse_mx(std::span<const uint8_t> rdata) {
  if (validate_rdata(RRType::MX, rdata)) return std::nullopt;
  size_t pos = 2;
  return MxData{rd16(rdata, 0), *read_name(rdata, pos)};
}

std::optional<SrvData> parse_srv(std::span<const uint8_t> rdata) {
  if (validate_rdata(RRType::SRV, rdata)) return std::nullopt;
  size_t pos = 6;
  return SrvData{rd16(rdata, 0), rd16(rdata, 2), rd16(rdata, 4), *read_name(rdata, pos)};
}

std::optional<std::array<uint8_t, 4>> rdata_a(std::span<const uint8_t> rdata) {
  if (rdata.size() != 4) return std::nullopt;
  std::array<uint8_t, 4> a;
  std::memcpy(a.data(), rdata.data(), 4);
  return a;
}

std::optional<std::array<uint8_t, 16>> rdata_aaaa(std::span<const uint8_t> rdata) {
  if (rdata.size() != 16) return std::nullopt;
  std::array<uint8_t, 16> a;
  std::memcpy(a.data(), rdata.data(), 16);
  return a;
}

}  // namespace tern::wire
