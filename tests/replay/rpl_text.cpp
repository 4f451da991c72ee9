#include "rpl_text.h"

#include <charconv>

namespace tern::replay {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view strip_comment(std::string_view line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\') {
      ++i;  // the escaped character cannot start a comment or a quote
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      return line.substr(0, i);
    }
  }
  return line;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::vector<uint8_t>> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<uint8_t> out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(uint8_t(hi << 4 | lo));
  }
  return out;
}

std::optional<wire::Rcode> rcode_from_text(std::string_view s) {
  // The mnemonics are the wire module's own; numbers without one print as RCODEnn and are not
  // accepted here (no scenario uses them).
  for (uint16_t v = 0; v <= 23; ++v) {
    const std::string text = wire::rcode_to_text(wire::Rcode(v));
    if (!text.starts_with("RCODE") && text == s) return wire::Rcode(v);
  }
  return std::nullopt;
}

std::optional<wire::Opcode> opcode_from_text(std::string_view s) {
  for (uint8_t v = 0; v <= 15; ++v) {
    const std::string text = wire::opcode_to_text(wire::Opcode(v));
    if (!text.starts_with("OPCODE") && text == s) return wire::Opcode(v);
  }
  return std::nullopt;
}

std::optional<bool> bool_from_text(std::string_view s) {
  if (s == "yes" || s == "on" || s == "true" || s == "1") return true;
  if (s == "no" || s == "off" || s == "false" || s == "0") return false;
  return std::nullopt;
}

}  // namespace tern::replay
