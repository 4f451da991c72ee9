#include "wire/text_tokens.h"

#include <charconv>

namespace tern::wire::detail {

Result<std::vector<Token>, WireError> tokenize(std::string_view t) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')') {
      ++i;
    } else if (c == ';') {
      while (i < t.size() && t[i] != '\n') ++i;
    } else if (c == '"') {
      size_t start = ++i;
      while (i < t.size() && t[i] != '"') i += (t[i] == '\\') ? 2 : 1;
      if (i >= t.size()) return fail(WireError::BadText);  // unterminated quote
      out.push_back({t.substr(start, i - start), true});
      ++i;
    } else {
      size_t start = i;
      while (i < t.size()) {
        char d = t[i];
        if (d == '\\') {
          i += 2;
          continue;
        }
        if (d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == '(' || d == ')' || d == ';' ||
            d == '"') {
          break;
        }
        ++i;
      }
      if (i > t.size()) return fail(WireError::BadEscape);  // trailing lone backslash
      out.push_back({t.substr(start, i - start), false});
    }
  }
  return out;
}

Result<std::vector<uint8_t>, WireError> unescape(std::string_view t) {
  std::vector<uint8_t> out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\') {
      out.push_back(uint8_t(t[i]));
      continue;
    }
    if (++i >= t.size()) return fail(WireError::BadEscape);
    if (t[i] >= '0' && t[i] <= '9') {
      if (i + 3 > t.size()) return fail(WireError::BadEscape);
      unsigned v = 0;
      for (int k = 0; k < 3; ++k) {
        char d = t[i + k];
        if (d < '0' || d > '9') return fail(WireError::BadEscape);
        v = v * 10 + unsigned(d - '0');
      }
      if (v > 255) return fail(WireError::BadEscape);
      out.push_back(uint8_t(v));
      i += 2;
    } else {
      out.push_back(uint8_t(t[i]));
    }
  }
  return out;
}

void append_quoted(std::string& out, std::span<const uint8_t> bytes) {
  out += '"';
  for (uint8_t c : bytes) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char esc[5] = {'\\', char('0' + c / 100), char('0' + c / 10 % 10), char('0' + c % 10), 0};
      out += esc;
    } else {
      out += char(c);
    }
  }
  out += '"';
}

std::optional<uint64_t> parse_number(std::string_view t, uint64_t max) {
  if (t.empty() || t.size() > 20) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || v > max) return std::nullopt;
  return v;
}

}  // namespace tern::wire::detail
