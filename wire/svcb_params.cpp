#include "wire/svcb_params.h"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <map>
#include <string_view>

#include "wire/encoding.h"

namespace tern::wire::detail {
namespace {

constexpr std::array<std::string_view, 8> kKeyNames{
    "mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath"};

std::string key_name(uint16_t key) {
  if (key < kKeyNames.size()) return std::string(kKeyNames[key]);
  return "key" + std::to_string(key);
}

std::optional<uint16_t> key_from_name(std::string_view name) {
  for (size_t i = 0; i < kKeyNames.size(); ++i) {
    if (kKeyNames[i] == name) return uint16_t(i);
  }
  if (name.size() > 3 && name.substr(0, 3) == "key") {
    if (auto v = parse_number(name.substr(3), 65535)) return uint16_t(*v);
  }
  return std::nullopt;
}

// Splits on unescaped commas (RFC 9460 appendix A.1 value lists).
std::vector<std::string_view> split_commas(std::string_view v) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\') {
      ++i;
    } else if (v[i] == ',') {
      parts.push_back(v.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(v.substr(start));
  return parts;
}

void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}

// Value bytes for one key from its presentation value.
Result<std::vector<uint8_t>, WireError> value_from_text(uint16_t key, std::string_view v,
                                                        bool has_value) {
  std::vector<uint8_t> out;
  switch (key) {
    case 0: {  // mandatory: key list
      for (auto part : split_commas(v)) {
        auto k = key_from_name(part);
        if (!k) return fail(WireError::BadText);
        put16(out, *k);
      }
      return out;
    }
    case 1: {  // alpn: comma list of ids, "\," inside an id
      for (auto part : split_commas(v)) {
        auto id = unescape(part);
        if (!id || id->empty() || id->size() > 255) return fail(WireError::BadText);
        out.push_back(uint8_t(id->size()));
        out.insert(out.end(), id->begin(), id->end());
      }
      return out;
    }
    case 2:  // no-default-alpn: no value
      if (has_value && !v.empty()) return fail(WireError::BadText);
      return out;
    case 3: {
      auto port = parse_number(v, 65535);
      if (!port) return fail(WireError::BadNumber);
      put16(out, uint16_t(*port));
      return out;
    }
    case 4: case 6: {  // ipv4hint / ipv6hint
      for (auto part : split_commas(v)) {
        std::string addr(part);
        uint8_t buf[16];
        int family = key == 4 ? AF_INET : AF_INET6;
        if (inet_pton(family, addr.c_str(), buf) != 1) return fail(WireError::BadText);
        out.insert(out.end(), buf, buf + (key == 4 ? 4 : 16));
      }
      return out;
    }
    case 5: {  // ech: base64
      auto bytes = from_base64(v);
      if (!bytes) return fail(WireError::BadText);
      return *bytes;
    }
    default: {  // dohpath and unknown keys: the raw (escaped) string
      auto bytes = unescape(v);
      if (!bytes) return fail(bytes.error());
      return *bytes;
    }
  }
}

// Checks a parameter value has the shape its key requires (RFC 9460 §7).
bool value_ok(uint16_t key, std::span<const uint8_t> v) {
  switch (key) {
    case 0: return !v.empty() && v.size() % 2 == 0;
    case 1: {
      if (v.empty()) return false;
      for (size_t p = 0; p < v.size(); p += 1 + size_t(v[p])) {
        if (v[p] == 0 || p + 1 + v[p] > v.size()) return false;
      }
      return true;
    }
    case 2: return v.empty();
    case 3: return v.size() == 2;
    case 4: return !v.empty() && v.size() % 4 == 0;
    case 6: return !v.empty() && v.size() % 16 == 0;
    default: return true;
  }
}

void append_escaped_plain(std::string& out, std::span<const uint8_t> bytes, bool escape_comma) {
  for (uint8_t c : bytes) {
    if (c == '"' || c == '\\' || (escape_comma && c == ',')) {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char esc[5] = {'\\', char('0' + c / 100), char('0' + c / 10 % 10), char('0' + c % 10), 0};
      out += esc;
    } else {
      out += char(c);
    }
  }
}

}  // namespace

bool svc_params_values_ok(std::span<const uint8_t> p) {
  for (size_t pos = 0; pos + 4 <= p.size();) {
    size_t n = size_t(p[pos + 2]) << 8 | p[pos + 3];
    if (!value_ok(uint16_t(p[pos] << 8 | p[pos + 1]), p.subspan(pos + 4, n))) return false;
    pos += 4 + n;
  }
  return true;
}

void svc_params_to_text(std::string& out, std::span<const uint8_t> p) {
  for (size_t pos = 0; pos + 4 <= p.size();) {
    uint16_t key = uint16_t(p[pos] << 8 | p[pos + 1]);
    size_t n = size_t(p[pos + 2]) << 8 | p[pos + 3];
    auto v = p.subspan(pos + 4, n);
    pos += 4 + n;
    out += ' ';
    out += key_name(key);
    switch (key) {
      case 0:
        out += '=';
        for (size_t i = 0; i < n; i += 2) {
          if (i) out += ',';
          out += key_name(uint16_t(v[i] << 8 | v[i + 1]));
        }
        break;
      case 1:
        out += "=\"";
        for (size_t i = 0; i < n; i += 1 + size_t(v[i])) {
          if (i) out += ',';
          append_escaped_plain(out, v.subspan(i + 1, v[i]), true);
        }
        out += '"';
        break;
      case 2: break;
      case 3: out += '=' + std::to_string(v[0] << 8 | v[1]); break;
      case 4: case 6: {
        out += '=';
        size_t step = key == 4 ? 4 : 16;
        for (size_t i = 0; i < n; i += step) {
          if (i) out += ',';
          char buf[INET6_ADDRSTRLEN];
          inet_ntop(key == 4 ? AF_INET : AF_INET6, v.data() + i, buf, sizeof buf);
          out += buf;
        }
        break;
      }
      case 5: out += '=' + to_base64(v); break;
      default:
        out += "=\"";
        append_escaped_plain(out, v, false);
        out += '"';
        break;
    }
  }
}

Result<std::vector<uint8_t>, WireError> svc_params_from_text(std::span<const Token> tokens) {
  std::map<uint16_t, std::vector<uint8_t>> params;  // sorted by key, as the wire requires
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string_view t = tokens[i].text;
    size_t eq = t.find('=');
    std::string_view name = t.substr(0, eq);
    auto key = key_from_name(name);
    if (!key) return fail(WireError::BadText);
    std::string_view value;
    bool has_value = eq != std::string_view::npos;
    if (has_value) {
      value = t.substr(eq + 1);
      // key="quoted value" arrives as two tokens: `key=` then the quoted string.
      if (value.empty() && i + 1 < tokens.size() && tokens[i + 1].quoted) value = tokens[++i].text;
    }
    auto bytes = value_from_text(*key, value, has_value);
    if (!bytes) return fail(bytes.error());
    if (!value_ok(*key, *bytes) || bytes->size() > 65535) return fail(WireError::BadText);
    if (!params.emplace(*key, std::move(*bytes)).second) return fail(WireError::BadText);
  }
  std::vector<uint8_t> out;
  for (const auto& [key, value] : params) {
    put16(out, key);
    put16(out, uint16_t(value.size()));
    out.insert(out.end(), value.begin(), value.end());
  }
  return out;
}

}  // namespace tern::wire::detail
