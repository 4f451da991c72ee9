#include "resolver/config/address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace tern::config {
namespace {

std::optional<uint16_t> parse_port(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

bool parse_ip(std::string_view host, SocketAddress& out, uint16_t port) {
  std::string h(host);
  out = SocketAddress{};
  sockaddr_in v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&out.storage, &v4, sizeof v4);
    out.length = sizeof v4;
    return true;
  }
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&out.storage, &v6, sizeof v6);
    out.length = sizeof v6;
    return true;
  }
  return false;
}

}  // namespace

std::optional<SocketAddress> SocketAddress::parse(std::string_view text,
                                                  std::optional<uint16_t> default_port) {
  SocketAddress out;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    std::optional<uint16_t> port = default_port;
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = parse_port(rest.substr(1));
    }
    if (!port || host.find(':') == std::string_view::npos) return std::nullopt;
    if (!parse_ip(host, out, *port)) return std::nullopt;
    return out;
  }
  size_t colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(':') == colon) {  // exactly one ':' -> v4:port
    auto port = parse_port(text.substr(colon + 1));
    if (!port) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos || !parse_ip(host, out, *port) ||
        out.family() != AF_INET)
      return std::nullopt;
    return out;
  }
  if (!default_port || !parse_ip(text, out, *default_port)) return std::nullopt;
  return out;
}

SocketAddress SocketAddress::from_sockaddr(const sockaddr* sa) {
  SocketAddress out;
  if (sa->sa_family == AF_INET) {
    std::memcpy(&out.storage, sa, sizeof(sockaddr_in));
    out.length = sizeof(sockaddr_in);
  } else if (sa->sa_family == AF_INET6) {
    std::memcpy(&out.storage, sa, sizeof(sockaddr_in6));
    out.length = sizeof(sockaddr_in6);
  }
  return out;
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

std::string SocketAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(port());
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
    // Appended piece by piece: GCC 12's -Wrestrict misfires on "[" + std::string(...) in Release.
    std::string out = "[";
    out += buf;
    out += "]:";
    out += std::to_string(port());
    return out;
  }
  return "?";
}

std::optional<Network> Network::parse(std::string_view text) {
  Network n;
  std::string_view host = text;
  std::optional<unsigned> prefix;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    host = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty()) return std::nullopt;
    prefix = v;
  }
  std::string h(host);
  if (inet_pton(AF_INET, h.c_str(), n.bytes_.data()) == 1) {
    n.v6_ = false;
    if (prefix.value_or(32) > 32) return std::nullopt;
    n.prefix_ = static_cast<uint8_t>(prefix.value_or(32));
  } else if (inet_pton(AF_INET6, h.c_str(), n.bytes_.data()) == 1) {
    n.v6_ = true;
    if (prefix.value_or(128) > 128) return std::nullopt;
    n.prefix_ = static_cast<uint8_t>(prefix.value_or(128));
  } else {
    return std::nullopt;
  }
  // Clear host bits so "10.1.2.3/8" means 10.0.0.0/8.
  size_t total = n.v6_ ? 16 : 4;
  for (size_t i = 0; i < total; ++i) {
    int bits = static_cast<int>(n.prefix_) - static_cast<int>(i * 8);
    if (bits >= 8) continue;
    n.bytes_[i] &= bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
  }
  return n;
}

bool Network::contains(const sockaddr* sa) const {
  const uint8_t* addr = nullptr;
  uint8_t mapped[4];
  if (sa->sa_family == AF_INET) {
    if (v6_) return false;
    addr = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(sa)->sin_addr);
  } else if (sa->sa_family == AF_INET6) {
    const auto* a6 = &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
    if (!v6_) {
      if (!IN6_IS_ADDR_V4MAPPED(a6)) return false;
      std::memcpy(mapped, reinterpret_cast<const uint8_t*>(a6) + 12, 4);
      addr = mapped;
    } else {
      addr = reinterpret_cast<const uint8_t*>(a6);
    }
  } else {
    return false;
  }
  unsigned full = prefix_ / 8, rest = prefix_ % 8;
  if (std::memcmp(addr, bytes_.data(), full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (addr[full] & mask) == bytes_[full];
}

std::string Network::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix_);
}

}  // namespace tern::config
