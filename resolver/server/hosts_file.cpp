#include "resolver/server/hosts_file.h"

#include <arpa/inet.h>

#include <string>

namespace tern::server {
namespace {

// A hosts line is short; a longer one is not a hosts line (and is not copied whole).
constexpr size_t kMaxHostsLine = 4096;

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

HostsFile parse_hosts(std::string_view text) {
  HostsFile out;
  uint32_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (line.size() > kMaxHostsLine) {
      out.skipped.push_back(std::to_string(line_no) + ": line too long");
      continue;
    }
    auto f = fields(line);
    if (f.empty()) continue;
    if (f.size() < 2) {
      out.skipped.push_back(std::to_string(line_no) + ": an address without a name");
      continue;
    }
    HostsEntry e;
    e.line = line_no;
    std::string addr(f[0]);
    if (inet_pton(AF_INET, addr.c_str(), e.address.data()) == 1) {
      e.v6 = false;
    } else if (inet_pton(AF_INET6, addr.c_str(), e.address.data()) == 1) {
      e.v6 = true;
    } else {
      out.skipped.push_back(std::to_string(line_no) + ": '" + addr + "' is not an IP address");
      continue;
    }
    bool bad = false;
    for (size_t i = 1; i < f.size() && !bad; ++i) {
      // Names in a hosts file are absolute without the final dot.
      std::string n(f[i]);
      if (n.back() != '.') n += '.';
      auto name = wire::Name::from_text(n);
      if (!name || name->is_root()) {
        out.skipped.push_back(std::to_string(line_no) + ": '" + std::string(f[i]) + "' is not a name");
        bad = true;
      } else {
        e.names.push_back(*name);
      }
    }
    if (!bad) out.entries.push_back(std::move(e));
  }
  return out;
}

wire::Name reverse_name(bool v6, const std::array<uint8_t, 16>& a) {
  std::string text;
  if (!v6) {
    for (int i = 3; i >= 0; --i) text += std::to_string(a[size_t(i)]) + ".";
    text += "in-addr.arpa.";
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
      text += kHex[a[size_t(i)] & 0x0f];
      text += '.';
      text += kHex[a[size_t(i)] >> 4];
      text += '.';
    }
    text += "ip6.arpa.";
  }
  return *wire::Name::from_text(text);
}

}  // namespace tern::server
