#include "query_set.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace tern::bench {
namespace {

struct TypeCode {
  std::string_view name;
  uint16_t code;
};

constexpr TypeCode kTypes[] = {
    {"A", 1},    {"NS", 2},   {"CNAME", 5}, {"SOA", 6},   {"PTR", 12},  {"HINFO", 13},
    {"MX", 15},  {"TXT", 16}, {"AAAA", 28}, {"SRV", 33},  {"DNAME", 39}, {"DS", 43},
    {"DNSKEY", 48}, {"SVCB", 64}, {"HTTPS", 65}, {"CAA", 257}, {"ANY", 255},
};

bool type_code(std::string_view text, uint16_t& code) {
  for (const auto& type : kTypes) {
    if (text.size() != type.name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < text.size() && same; ++i) {
      same = (text[i] & ~0x20) == type.name[i] || text[i] == type.name[i];
    }
    if (same) {
      code = type.code;
      return true;
    }
  }
  if (text.size() > 4 && (text.substr(0, 4) == "TYPE" || text.substr(0, 4) == "type")) {
    auto [end, ec] = std::from_chars(text.data() + 4, text.data() + text.size(), code);
    return ec == std::errc() && end == text.data() + text.size();
  }
  return false;
}

}  // namespace

bool encode_query(std::string_view name, std::string_view type, std::vector<uint8_t>& out) {
  uint16_t code = 0;
  if (!type_code(type, code)) return false;
  out.assign({0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});  // ID 0, RD, QDCOUNT 1
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  size_t name_octets = 1;
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63) return false;
    out.push_back(static_cast<uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    name_octets += label.size() + 1;
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  if (name_octets > 255) return false;
  out.push_back(0);
  out.insert(out.end(), {static_cast<uint8_t>(code >> 8), static_cast<uint8_t>(code), 0, 1});
  return true;
}

bool load_query_set(const std::string& path, QuerySet& out, std::string& error) {
  std::ifstream file(path);
  if (!file) {
    error = "cannot read " + path;
    return false;
  }
  std::string line;
  std::vector<uint8_t> query;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::string name, type = "A";
    if (!(fields >> name) || name[0] == '#') continue;
    fields >> type;
    if (encode_query(name, type, query)) {
      out.queries.push_back(query);
    } else {
      ++out.skipped_lines;
    }
  }
  if (out.queries.empty()) {
    error = "no usable queries in " + path;
    return false;
  }
  return true;
}

}  // namespace tern::bench
