#include "wire/canonical_rdata.h"

#include "wire/name.h"
#include "wire/rdata_format.h"

namespace tern::wire {
namespace {

// Lowercases the uncompressed name at `pos`; returns the offset after it, or 0 on bad structure.
size_t lower_name(std::vector<uint8_t>& out, size_t pos) {
  while (pos < out.size()) {
    uint8_t len = out[pos];
    if (len == 0) return pos + 1;
    if (len > Name::kMaxLabelSize || pos + 1 + len > out.size()) return 0;
    for (size_t i = pos + 1; i <= pos + len; ++i) out[i] = ascii_lower(out[i]);
    pos += 1 + len;
  }
  return 0;
}

// The leading fields of the listed types that are not in the shared RDATA table.
constexpr detail::Field kKx[] = {detail::Field::U16, detail::Field::Name};
constexpr detail::Field kSig[] = {detail::Field::TypeU16, detail::Field::U8, detail::Field::U8,
                                  detail::Field::U32, detail::Field::Time, detail::Field::Time,
                                  detail::Field::U16, detail::Field::Name};
constexpr detail::Field kNxt[] = {detail::Field::Name};

std::span<const detail::Field> fields_of(RRType type) {
  switch (uint16_t(type)) {
    case 24: return kSig;  // SIG
    case 30: return kNxt;  // NXT
    case 36: return kKx;   // KX
    default: break;
  }
  const detail::Format* f = detail::format_of(type);
  return f ? f->list() : std::span<const detail::Field>{};
}

}  // namespace

bool rdata_names_lowercased_for_dnssec(RRType type) {
  switch (uint16_t(type)) {
    case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 12: case 14: case 15:
    case 17: case 18: case 21: case 24: case 26: case 30: case 33: case 35: case 36: case 39:
    case 46:
      return true;
    default:
      return false;
  }
}

std::vector<uint8_t> dnssec_canonical_rdata(RRType type, std::span<const uint8_t> rdata) {
  std::vector<uint8_t> out(rdata.begin(), rdata.end());
  if (!rdata_names_lowercased_for_dnssec(type)) return out;
  size_t pos = 0;
  for (detail::Field f : fields_of(type)) {
    using F = detail::Field;
    switch (f) {
      case F::U8: pos += 1; break;
      case F::U16: case F::TypeU16: pos += 2; break;
      case F::U32: case F::Time: pos += 4; break;
      case F::CharString:
        if (pos >= out.size()) return {rdata.begin(), rdata.end()};
        pos += 1 + size_t(out[pos]);
        break;
      case F::Name: {
        size_t next = lower_name(out, pos);
        if (next == 0) return {rdata.begin(), rdata.end()};
        pos = next;
        break;
      }
      default:
        return out;  // no name follows an opaque field in any of the listed types
    }
    if (pos > out.size()) return {rdata.begin(), rdata.end()};
  }
  return out;
}

}  // namespace tern::wire
