// Presentation text -> canonical RDATA, field by field from the layout table; RFC 3597 "\#" form
// for every type.
#include <arpa/inet.h>

#include <algorithm>
#include <map>

#include "wire/encoding.h"
#include "wire/rdata.h"
#include "wire/rdata_format.h"
#include "wire/svcb_params.h"
#include "wire/text_tokens.h"

namespace tern::wire {
namespace {

using detail::Field;
using detail::Token;

void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
void put32(Bytes& b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}

// YYYYMMDDHHmmSS (UTC) or a plain number of seconds (RFC 4034 §3.2).
std::optional<uint32_t> parse_time(std::string_view t) {
  if (t.size() != 14) {
    auto v = detail::parse_number(t, 0xffffffffu);
    return v ? std::optional<uint32_t>(uint32_t(*v)) : std::nullopt;
  }
  int f[6];
  const int widths[6] = {4, 2, 2, 2, 2, 2};
  size_t p = 0;
  for (int i = 0; i < 6; ++i) {
    auto v = detail::parse_number(t.substr(p, size_t(widths[i])), 9999);
    if (!v) return std::nullopt;
    f[i] = int(*v);
    p += size_t(widths[i]);
  }
  int y = f[0], m = f[1], d = f[2];
  if (m < 1 || m > 12 || d < 1 || d > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60) return std::nullopt;
  // Days-from-civil (proleptic Gregorian).
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  int64_t secs = days * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
  // Times past 2106 wrap (serial number arithmetic, RFC 4034 §3.1.5).
  return uint32_t(uint64_t(secs) & 0xffffffffu);
}

Result<Bytes, WireError> type_bitmap(std::span<const Token> tokens) {
  std::map<uint8_t, std::array<uint8_t, 32>> windows;
  for (const auto& t : tokens) {
    auto type = type_from_text(t.text);
    if (!type) return fail(WireError::UnknownType);
    uint16_t v = uint16_t(*type);
    auto& w = windows[uint8_t(v >> 8)];
    w[(v & 0xff) / 8] |= uint8_t(0x80 >> (v % 8));
  }
  Bytes out;
  for (const auto& [window, bits] : windows) {
    size_t len = 32;
    while (len > 0 && bits[len - 1] == 0) --len;
    out.push_back(window);
    out.push_back(uint8_t(len));
    out.insert(out.end(), bits.begin(), bits.begin() + len);
  }
  return out;
}

std::string join(std::span<const Token> tokens) {
  std::string s;
  for (const auto& t : tokens) s += t.text;
  return s;
}

Result<Bytes, WireError> generic_from_text(std::span<const Token> tokens) {
  if (tokens.empty()) return fail(WireError::BadText);
  auto len = detail::parse_number(tokens[0].text, 65535);
  if (!len) return fail(WireError::BadNumber);
  auto bytes = detail::from_hex(join(tokens.subspan(1)));
  if (!bytes) return fail(WireError::BadText);
  if (bytes->size() != *len) return fail(WireError::RdlengthMismatch);
  return *bytes;
}

}  // namespace

Result<Bytes, WireError> rdata_from_text(RRType type, std::string_view text, const Name& origin) {
  auto toks = detail::tokenize(text);
  if (!toks) return fail(toks.error());
  std::span<const Token> t = *toks;
  if (!t.empty() && !t[0].quoted && t[0].text == "\\#") {
    auto bytes = generic_from_text(t.subspan(1));
    if (!bytes) return bytes;
    if (auto e = validate_rdata(type, *bytes)) return fail(*e);
    return bytes;
  }
  auto fmt = detail::format_of(type);
  if (!fmt || type == RRType::OPT) return fail(WireError::BadText);  // only "\#" for these
  Bytes out;
  size_t i = 0;
  auto next = [&]() -> const Token* { return i < t.size() ? &t[i++] : nullptr; };
  for (Field f : fmt->list()) {
    switch (f) {
      case Field::U8: case Field::U16: case Field::U32: {
        const Token* tok = next();
        if (!tok) return fail(WireError::BadText);
        uint64_t max = f == Field::U8 ? 0xff : f == Field::U16 ? 0xffff : 0xffffffffu;
        auto v = detail::parse_number(tok->text, max);
        if (!v) return fail(WireError::BadNumber);
        if (f == Field::U8) out.push_back(uint8_t(*v));
        else if (f == Field::U16) put16(out, uint16_t(*v));
        else put32(out, uint32_t(*v));
        break;
      }
      case Field::Time: {
        const Token* tok = next();
        if (!tok) return fail(WireError::BadText);
        auto v = parse_time(tok->text);
        if (!v) return fail(WireError::BadNumber);
        put32(out, *v);
        break;
      }
      case Field::TypeU16: {
        const Token* tok = next();
        if (!tok) return fail(WireError::BadText);
        auto v = type_from_text(tok->text);
        if (!v) return fail(WireError::UnknownType);
        put16(out, uint16_t(*v));
        break;
      }
      case Field::Ipv4: case Field::Ipv6: {
        const Token* tok = next();
        if (!tok) return fail(WireError::BadText);
        std::string s(tok->text);
        uint8_t buf[16];
        if (inet_pton(f == Field::Ipv4 ? AF_INET : AF_INET6, s.c_str(), buf) != 1) {
          return fail(WireError::BadText);
        }
        out.insert(out.end(), buf, buf + (f == Field::Ipv4 ? 4 : 16));
        break;
      }
      case Field::Name: {
        const Token* tok = next();
        if (!tok) return fail(WireError::BadText);
        auto n = Name::from_text(tok->text, origin);
        if (!n) return fail(n.error());
        out.insert(out.end(), n->wire().begin(), n->wire().end());
        break;
      }
      case Field::CharString: case Field::CharStrings: {
        size_t count = 0;
        do {
          const Token* tok = next();
          if (!tok) break;
          auto bytes = detail::unescape(tok->text);
          if (!bytes) return fail(bytes.error());
          if (bytes->size() > 255) return fail(WireError::BadText);
          out.push_back(uint8_t(bytes->size()));
          out.insert(out.end(), bytes->begin(), bytes->end());
          ++count;
        } while (f == Field::CharStrings);
        if (count == 0) return fail(WireError::BadText);
        break;
      }
      case Field::CaaTag: {
        const Token* tok = next();
        if (!tok || tok->text.empty() || tok->text.size() > 255) return fail(WireError::BadText);
        out.push_back(uint8_t(tok->text.size()));
        out.insert(out.end(), tok->text.begin(), tok->text.end());
        break;
      }
      case Field::CaaValue: {
        const Token* tok = next();
        if (!tok) return fail(WireError::BadText);
        auto bytes = detail::unescape(tok->text);
        if (!bytes) return fail(bytes.error());
        out.insert(out.end(), bytes->begin(), bytes->end());
        break;
      }
      case Field::Base64Rest: case Field::HexRest: {
        std::string s = join(t.subspan(i));
        i = t.size();
        auto bytes = f == Field::Base64Rest ? detail::from_base64(s) : detail::from_hex(s);
        if (!bytes) return fail(WireError::BadText);
        out.insert(out.end(), bytes->begin(), bytes->end());
        break;
      }
      case Field::Salt: case Field::Hash: {
        const Token* tok = next();
        if (!tok) return fail(WireError::BadText);
        std::optional<Bytes> bytes;
        if (f == Field::Salt) {
          bytes = tok->text == "-" ? Bytes{} : detail::from_hex(tok->text);
        } else {
          bytes = detail::from_base32hex(tok->text);
        }
        if (!bytes || bytes->size() > 255) return fail(WireError::BadText);
        out.push_back(uint8_t(bytes->size()));
        out.insert(out.end(), bytes->begin(), bytes->end());
        break;
      }
      case Field::TypeBitmap: {
        auto bytes = type_bitmap(t.subspan(i));
        if (!bytes) return bytes;
        i = t.size();
        out.insert(out.end(), bytes->begin(), bytes->end());
        break;
      }
      case Field::SvcParams: {
        auto bytes = detail::svc_params_from_text(t.subspan(i));
        if (!bytes) return bytes;
        i = t.size();
        out.insert(out.end(), bytes->begin(), bytes->end());
        break;
      }
      case Field::EdnsOptions:
        return fail(WireError::BadText);
    }
  }
  if (i != t.size()) return fail(WireError::BadText);  // extra tokens
  if (out.size() > 65535) return fail(WireError::BadText);
  if (auto e = validate_rdata(type, out)) return fail(*e);
  return out;
}

}  // namespace tern::wire
