#include "resolver/engine/world.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace tern::engine {

namespace {

std::optional<uint16_t> parse_port(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 65535 || s.empty()) return std::nullopt;
  return uint16_t(v);
}

// Parses a bare host; sets v6 and bytes.
bool parse_host(std::string_view host, bool& v6, std::array<uint8_t, 16>& bytes) {
  if (host.empty() || host.size() > 64) return false;
  char buf[65];
  std::memcpy(buf, host.data(), host.size());
  buf[host.size()] = 0;
  bytes = {};
  if (inet_pton(AF_INET, buf, bytes.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, bytes.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

bool prefix_match(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& net,
                  unsigned prefix) {
  for (unsigned i = 0; i < prefix / 8; ++i)
    if (a[i] != net[i]) return false;
  if (prefix % 8 == 0) return true;
  uint8_t mask = uint8_t(0xff << (8 - prefix % 8));
  return (a[prefix / 8] & mask) == (net[prefix / 8] & mask);
}

struct Net {
  bool v6;
  std::array<uint8_t, 16> bytes;
  unsigned prefix;
};

bool in(const Address& a, const Net& n) { return a.v6 == n.v6 && prefix_match(a.bytes, n.bytes, n.prefix); }

// default_port empty: a port must be written.
std::optional<Address> parse_address(std::string_view text, std::optional<uint16_t> default_port) {
  Address a;
  std::optional<uint16_t> port = default_port;
  std::string_view host = text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = parse_port(rest.substr(1));
      if (!port) return std::nullopt;
    }
    if (!port || !parse_host(host, a.v6, a.bytes) || !a.v6) return std::nullopt;
    a.port = *port;
    return a;
  }
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    port = parse_port(text.substr(colon + 1));
    if (!port) return std::nullopt;
    host = text.substr(0, colon);
  }
  if (!port || !parse_host(host, a.v6, a.bytes)) return std::nullopt;
  a.port = *port;
  return a;
}

}  // namespace

std::optional<Address> Address::parse(std::string_view text, uint16_t default_port) {
  return parse_address(text, default_port);
}

std::optional<Address> Address::parse_with_port(std::string_view text) {
  return parse_address(text, std::nullopt);
}

Address Address::v4(std::array<uint8_t, 4> b, uint16_t port) {
  Address a;
  std::memcpy(a.bytes.data(), b.data(), 4);
  a.port = port;
  return a;
}

Address Address::v6_from(std::array<uint8_t, 16> b, uint16_t port) {
  Address a;
  a.v6 = true;
  a.bytes = b;
  a.port = port;
  return a;
}

std::string Address::host_to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::string Address::to_string() const {
  auto host = host_to_string();
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool Address::is_loopback() const {
  static constexpr Net kLoop4{false, {127}, 8};
  static constexpr Net kLoop6{true, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128};
  return in(*this, kLoop4) || in(*this, kLoop6);
}

bool Address::is_private() const {
  static constexpr Net kNets[] = {
      {false, {10}, 8},        {false, {172, 16}, 12},   {false, {192, 168}, 16},
      {false, {169, 254}, 16}, {false, {100, 64}, 10},   {false, {0}, 8},
      {false, {224}, 3},  // multicast, reserved, broadcast
      {true, {0xfc}, 7},       {true, {0xfe, 0x80}, 10}, {true, {0xff}, 8},
      {true, {}, 96},  // ::/96 (unspecified, v4-compatible)
      {true, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96},  // v4-mapped
  };
  for (const auto& n : kNets)
    if (in(*this, n)) return true;
  return false;
}

size_t AddressHash::operator()(const Address& a) const {
  size_t h = 0xcbf29ce484222325ull ^ a.v6;
  for (auto b : a.bytes) h = (h ^ b) * 0x100000001b3ull;
  return (h ^ a.port) * 0x100000001b3ull;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  Cidr c;
  auto slash = text.find('/');
  auto host = text.substr(0, slash);
  if (!parse_host(host, c.v6, c.bytes)) return std::nullopt;
  unsigned max = c.v6 ? 128 : 32;
  c.prefix = uint8_t(max);
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty() || v > max) return std::nullopt;
    c.prefix = uint8_t(v);
  }
  return c;
}

bool Cidr::contains(const Address& a) const {
  return a.v6 == v6 && prefix_match(a.bytes, bytes, prefix);
}

bool Cidr::contains_client(const Address& a) const {
  static constexpr std::array<uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (v6 || !a.v6 || std::memcmp(a.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size()) != 0)
    return contains(a);
  Address v4 = Address::v4({a.bytes[12], a.bytes[13], a.bytes[14], a.bytes[15]}, a.port);
  return contains(v4);
}

std::string Cidr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

std::string_view to_string(TransportError e) {
  switch (e) {
    case TransportError::Timeout: return "timeout";
    case TransportError::Unreachable: return "unreachable";
    case TransportError::NotAllowed: return "not-allowed";
    case TransportError::Malformed: return "malformed";
    case TransportError::ConnectionFailed: return "connection-failed";
    case TransportError::Spoofed: return "spoofed";
  }
  return "unknown";
}

}  // namespace tern::engine
