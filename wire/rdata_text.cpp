// RDATA -> presentation text, field by field from the layout table, as dig prints it.
#include <arpa/inet.h>

#include "wire/encoding.h"
#include "wire/rdata.h"
#include "wire/rdata_format.h"
#include "wire/svcb_params.h"
#include "wire/text_tokens.h"

namespace tern::wire {
namespace detail {

// dig's default +split: long base64/hex fields are cut into 56-character chunks.
constexpr size_t kSplitWidth = 56;

void append_split(std::string& out, const std::string& text) {
  for (size_t i = 0; i < text.size(); i += kSplitWidth) {
    if (i) out += ' ';
    out += text.substr(i, kSplitWidth);
  }
}

// Seconds since the epoch -> YYYYMMDDHHmmSS in UTC (RFC 4034 §3.2), by calendar arithmetic.
std::string time_to_text(uint32_t t) {
  int64_t days = t / 86400, rem = t % 86400;
  // Civil-from-days (proleptic Gregorian), shifted so March is month 0.
  int64_t z = days + 719468;
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[32];
  snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", int(y), int(m), int(d), int(rem / 3600),
           int(rem / 60 % 60), int(rem % 60));
  return buf;
}

std::string generic_to_text(std::span<const uint8_t> rdata) {
  std::string out = "\\# " + std::to_string(rdata.size());
  if (!rdata.empty()) {
    out += ' ';
    append_split(out, to_hex_upper(rdata));
  }
  return out;
}

void bitmap_to_text(std::string& out, std::span<const uint8_t> b) {
  for (size_t pos = 0; pos + 2 <= b.size();) {
    unsigned window = b[pos];
    size_t len = b[pos + 1];
    for (size_t i = 0; i < len; ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        if (b[pos + 2 + i] & (0x80 >> bit)) {
          out += ' ';
          out += type_to_text(RRType(uint16_t(window * 256 + i * 8 + size_t(bit))));
        }
      }
    }
    pos += 2 + len;
  }
}

}  // namespace detail

std::string rdata_to_text(RRType type, std::span<const uint8_t> rd) {
  using detail::Field;
  auto fmt = detail::format_of(type);
  if (!fmt || type == RRType::OPT || validate_rdata(type, rd)) return detail::generic_to_text(rd);
  if ((type == RRType::SVCB || type == RRType::HTTPS)) {
    size_t name_end = 2;
    while (rd[name_end] != 0) name_end += 1 + size_t(rd[name_end]);
    if (!detail::svc_params_values_ok(rd.subspan(name_end + 1))) {
      return detail::generic_to_text(rd);
    }
  }
  std::string out;
  size_t pos = 0;
  auto sep = [&] {
    if (!out.empty()) out += ' ';
  };
  auto u16 = [&] { return uint16_t(rd[pos] << 8 | rd[pos + 1]); };
  auto u32 = [&] {
    return uint32_t(rd[pos]) << 24 | uint32_t(rd[pos + 1]) << 16 | uint32_t(rd[pos + 2]) << 8 |
           rd[pos + 3];
  };
  for (Field f : fmt->list()) {
    switch (f) {
      case Field::U8: sep(); out += std::to_string(rd[pos]); pos += 1; break;
      case Field::U16: sep(); out += std::to_string(u16()); pos += 2; break;
      case Field::TypeU16: sep(); out += type_to_text(RRType(u16())); pos += 2; break;
      case Field::U32: sep(); out += std::to_string(u32()); pos += 4; break;
      case Field::Time: sep(); out += detail::time_to_text(u32()); pos += 4; break;
      case Field::Ipv4: case Field::Ipv6: {
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(f == Field::Ipv4 ? AF_INET : AF_INET6, rd.data() + pos, buf, sizeof buf);
        sep();
        out += buf;
        pos += f == Field::Ipv4 ? 4 : 16;
        break;
      }
      case Field::Name: {
        size_t start = pos, labels = 0;
        while (rd[pos] != 0) {
          pos += 1 + size_t(rd[pos]);
          ++labels;
        }
        ++pos;
        sep();
        out += Name::from_wire_unchecked(rd.subspan(start, pos - start), labels).to_text();
        break;
      }
      case Field::CharString: case Field::CaaTag: {
        size_t n = rd[pos];
        sep();
        if (f == Field::CaaTag) {
          out.append(reinterpret_cast<const char*>(rd.data() + pos + 1), n);
        } else {
          detail::append_quoted(out, rd.subspan(pos + 1, n));
        }
        pos += 1 + n;
        break;
      }
      case Field::CharStrings:
        while (pos < rd.size()) {
          size_t n = rd[pos];
          sep();
          detail::append_quoted(out, rd.subspan(pos + 1, n));
          pos += 1 + n;
        }
        break;
      case Field::Base64Rest:
        if (pos < rd.size()) {
          sep();
          detail::append_split(out, detail::to_base64(rd.subspan(pos)));
        }
        pos = rd.size();
        break;
      case Field::HexRest:
        if (pos < rd.size()) {
          sep();
          detail::append_split(out, detail::to_hex_upper(rd.subspan(pos)));
        }
        pos = rd.size();
        break;
      case Field::CaaValue:
        sep();
        detail::append_quoted(out, rd.subspan(pos));
        pos = rd.size();
        break;
      case Field::TypeBitmap:
        detail::bitmap_to_text(out, rd.subspan(pos));
        pos = rd.size();
        break;
      case Field::Salt: {
        size_t n = rd[pos];
        sep();
        out += n == 0 ? "-" : detail::to_hex_upper(rd.subspan(pos + 1, n));
        pos += 1 + n;
        break;
      }
      case Field::Hash: {
        size_t n = rd[pos];
        sep();
        out += detail::to_base32hex(rd.subspan(pos + 1, n));
        pos += 1 + n;
        break;
      }
      case Field::SvcParams:
        detail::svc_params_to_text(out, rd.subspan(pos));
        pos = rd.size();
        break;
      case Field::EdnsOptions:  // OPT handled above as generic data
        pos = rd.size();
        break;
    }
  }
  return out;
}

}  // namespace tern::wire
