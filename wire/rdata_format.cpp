#include "wire/rdata_format.h"

#include <initializer_list>

#include "wire/name_view.h"

namespace tern::wire::detail {
namespace {

constexpr Format make(std::initializer_list<Field> fields) {
  Format f;
  for (Field x : fields) f.fields[f.count++] = x;
  return f;
}

using F = Field;
constexpr Format kAddress4 = make({F::Ipv4});
constexpr Format kAddress6 = make({F::Ipv6});
constexpr Format kOneName = make({F::Name});
constexpr Format kTwoNames = make({F::Name, F::Name});
constexpr Format kSoa = make({F::Name, F::Name, F::U32, F::U32, F::U32, F::U32, F::U32});
constexpr Format kHinfo = make({F::CharString, F::CharString});
constexpr Format kMx = make({F::U16, F::Name});
constexpr Format kTxt = make({F::CharStrings});
constexpr Format kSrv = make({F::U16, F::U16, F::U16, F::Name});
constexpr Format kOpt = make({F::EdnsOptions});
constexpr Format kDs = make({F::U16, F::U8, F::U8, F::HexRest});
constexpr Format kRrsig = make({F::TypeU16, F::U8, F::U8, F::U32, F::Time, F::Time, F::U16,
                                F::Name, F::Base64Rest});
constexpr Format kNsec = make({F::Name, F::TypeBitmap});
constexpr Format kDnskey = make({F::U16, F::U8, F::U8, F::Base64Rest});
constexpr Format kNsec3 = make({F::U8, F::U8, F::U16, F::Salt, F::Hash, F::TypeBitmap});
constexpr Format kNsec3Param = make({F::U8, F::U8, F::U16, F::Salt});
constexpr Format kSvcb = make({F::U16, F::Name, F::SvcParams});
constexpr Format kCaa = make({F::U8, F::CaaTag, F::CaaValue});
constexpr Format kPreferenceName = make({F::U16, F::Name});  // AFSDB, RT
constexpr Format kPx = make({F::U16, F::Name, F::Name});
constexpr Format kNaptr = make({F::U16, F::U16, F::CharString, F::CharString, F::CharString,
                                F::Name});

}  // namespace

const Format* format_of(RRType type) {
  switch (uint16_t(type)) {
    case 1: return &kAddress4;                                        // A
    case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:   // NS MD MF CNAME MB MG MR PTR
    case 39:                                                           // DNAME
      return &kOneName;
    case 6: return &kSoa;
    case 13: return &kHinfo;
    case 14: case 17: return &kTwoNames;  // MINFO RP
    case 18: case 21: return &kPreferenceName;  // AFSDB RT
    case 26: return &kPx;
    case 35: return &kNaptr;
    case 15: return &kMx;
    case 16: return &kTxt;
    case 28: return &kAddress6;
    case 33: return &kSrv;
    case 41: return &kOpt;
    case 43: return &kDs;
    case 46: return &kRrsig;
    case 47: return &kNsec;
    case 48: return &kDnskey;
    case 50: return &kNsec3;
    case 51: return &kNsec3Param;
    case 64: case 65: return &kSvcb;  // SVCB HTTPS
    case 257: return &kCaa;
    default: return nullptr;
  }
}

bool valid_type_bitmap(std::span<const uint8_t> b) {
  size_t pos = 0;
  int last_window = -1;
  while (pos < b.size()) {
    if (pos + 2 > b.size()) return false;
    int window = b[pos];
    size_t len = b[pos + 1];
    if (window <= last_window || len == 0 || len > 32 || pos + 2 + len > b.size()) return false;
    // RFC 4034 §4.1.2: trailing zero octets must be omitted (so an empty window cannot exist).
    if (b[pos + 1 + len] == 0) return false;
    last_window = window;
    pos += 2 + len;
  }
  return true;
}

std::optional<WireError> walk_rdata(std::span<const uint8_t> pkt, size_t offset, size_t length,
                                    RRType type, bool allow_compression,
                                    std::vector<uint8_t>* out) {
  if (offset + length > pkt.size()) return WireError::Truncated;
  const size_t end = offset + length;
  auto fmt = format_of(type);
  if (!fmt) {
    if (out) out->insert(out->end(), pkt.begin() + offset, pkt.begin() + end);
    return std::nullopt;
  }
  size_t pos = offset;
  auto copy = [&](size_t n) {
    if (out) out->insert(out->end(), pkt.begin() + pos, pkt.begin() + pos + n);
    pos += n;
  };
  auto fixed = [&](size_t n) -> bool {
    if (pos + n > end) return false;
    copy(n);
    return true;
  };
  for (Field f : fmt->list()) {
    switch (f) {
      case Field::U8:
        if (!fixed(1)) return WireError::RdlengthMismatch;
        break;
      case Field::U16: case Field::TypeU16:
        if (!fixed(2)) return WireError::RdlengthMismatch;
        break;
      case Field::U32: case Field::Time: case Field::Ipv4:
        if (!fixed(4)) return WireError::RdlengthMismatch;
        break;
      case Field::Ipv6:
        if (!fixed(16)) return WireError::RdlengthMismatch;
        break;
      case Field::Name: {
        if (pos >= end) return WireError::RdlengthMismatch;
        // Pointers are legal only for the RFC 1035 types (RFC 3597 §4).
        if (!allow_compression) {
          for (size_t p = pos; p < end && pkt[p] != 0; p += 1 + size_t(pkt[p])) {
            if ((pkt[p] & 0xc0) == 0xc0) return WireError::CompressedRdata;
          }
        }
        // Names must end inside the RDATA; pointers may reach back anywhere before them.
        NameView view(pkt.first(end), pos);
        auto in_place = view.validate();
        if (!in_place) {
          if (in_place.error() == WireError::Truncated) return WireError::RdlengthMismatch;
          return in_place.error();
        }
        size_t n = *in_place;
        if (out) {
          auto name = view.to_name();
          auto w = name->wire();
          out->insert(out->end(), w.begin(), w.end());
        }
        pos += n;
        break;
      }
      case Field::CharString: case Field::Salt: {
        if (pos >= end) return WireError::RdlengthMismatch;
        if (!fixed(1 + size_t(pkt[pos]))) return WireError::RdlengthMismatch;
        break;
      }
      case Field::Hash: case Field::CaaTag: {
        if (pos >= end) return WireError::RdlengthMismatch;
        size_t n = pkt[pos];
        if (n == 0) return WireError::BadRdata;
        if (pos + 1 + n > end) return WireError::RdlengthMismatch;
        if (f == Field::CaaTag) {
          for (size_t i = 1; i <= n; ++i) {
            uint8_t c = pkt[pos + i];
            bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alnum) return WireError::BadRdata;
          }
        }
        copy(1 + n);
        break;
      }
      case Field::CharStrings: {
        if (pos >= end) return WireError::RdlengthMismatch;  // TXT needs at least one string
        while (pos < end) {
          if (!fixed(1 + size_t(pkt[pos]))) return WireError::RdlengthMismatch;
        }
        break;
      }
      case Field::Base64Rest: case Field::HexRest: case Field::CaaValue:
        copy(end - pos);
        break;
      case Field::TypeBitmap:
        if (!valid_type_bitmap(pkt.subspan(pos, end - pos))) return WireError::BadRdata;
        copy(end - pos);
        break;
      case Field::EdnsOptions: case Field::SvcParams: {
        int last_key = -1;
        while (pos < end) {
          if (pos + 4 > end) return f == Field::EdnsOptions ? WireError::BadOpt : WireError::RdlengthMismatch;
          int key = (pkt[pos] << 8) | pkt[pos + 1];
          size_t n = (size_t(pkt[pos + 2]) << 8) | pkt[pos + 3];
          if (pos + 4 + n > end) return f == Field::EdnsOptions ? WireError::BadOpt : WireError::RdlengthMismatch;
          if (f == Field::SvcParams) {
            if (key <= last_key) return WireError::BadRdata;  // RFC 9460 §2.2: strictly increasing
            last_key = key;
          }
          copy(4 + n);
        }
        break;
      }
    }
  }
  if (pos != end) return WireError::RdlengthMismatch;
  return std::nullopt;
}

}  // namespace tern::wire::detail
