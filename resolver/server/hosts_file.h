// A hosts(5) file read as local data: "ADDRESS NAME [ALIAS...]" per line, '#' starts a comment.
// Lenient like the C library: a line it cannot read is skipped and reported, the rest is used.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/name.h"

namespace tern::server {

struct HostsEntry {
  bool v6 = false;
  std::array<uint8_t, 16> address{};  // the first 4 bytes for IPv4
  std::vector<wire::Name> names;      // canonical name first, then aliases
  uint32_t line = 0;
};

struct HostsFile {
  std::vector<HostsEntry> entries;
  std::vector<std::string> skipped;  // "LINE: why", one per line that was not used
};

HostsFile parse_hosts(std::string_view text);

// "7.2.0.192.in-addr.arpa." / the nibble form under ip6.arpa. (RFC 1035 §3.5, RFC 3596 §2.5).
wire::Name reverse_name(bool v6, const std::array<uint8_t, 16>& address);

}  // namespace tern::server
