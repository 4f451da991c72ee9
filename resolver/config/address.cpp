#include "resolver/config/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace tern::config {

std::optional<SocketAddress> SocketAddress::parse(std::string_view text,
                                                  std::optional<uint16_t> default_port) {
  auto a = default_port ? engine::Address::parse(text, *default_port)
                        : engine::Address::parse_with_port(text);
  if (!a) return std::nullopt;
  return from_address(*a);
}

SocketAddress SocketAddress::from_address(const engine::Address& a) {
  SocketAddress out;
  if (a.v6) {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(a.port);
    std::memcpy(&v6.sin6_addr, a.bytes.data(), 16);
    std::memcpy(&out.storage, &v6, sizeof v6);
    out.length = sizeof v6;
  } else {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(a.port);
    std::memcpy(&v4.sin_addr, a.bytes.data(), 4);
    std::memcpy(&out.storage, &v4, sizeof v4);
    out.length = sizeof v4;
  }
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

std::optional<engine::Address> address_of(const sockaddr* sa) {
  engine::Address a;
  if (sa->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(sa);
    std::memcpy(a.bytes.data(), &v4->sin_addr, 4);
    a.port = ntohs(v4->sin_port);
    return a;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(sa);
    a.v6 = true;
    std::memcpy(a.bytes.data(), &v6->sin6_addr, 16);
    a.port = ntohs(v6->sin6_port);
    return a;
  }
  return std::nullopt;
}

uint16_t SocketAddress::port() const {
  auto a = address_of(sa());
  return a ? a->port : 0;
}

std::string SocketAddress::to_string() const {
  auto a = address_of(sa());
  return a ? a->to_string() : "?";
}

std::optional<Network> Network::parse(std::string_view text) {
  auto cidr = engine::Cidr::parse(text);
  if (!cidr) return std::nullopt;
  // Clear host bits so "10.1.2.3/8" means, and prints as, 10.0.0.0/8.
  for (size_t i = 0; i < cidr->bytes.size(); ++i) {
    int bits = int(cidr->prefix) - int(i * 8);
    if (bits < 8) cidr->bytes[i] &= bits <= 0 ? 0 : uint8_t(0xff << (8 - bits));
  }
  Network n;
  n.cidr_ = *cidr;
  return n;
}

bool Network::contains(const sockaddr* sa) const {
  auto a = address_of(sa);
  return a && contains(*a);
}

}  // namespace tern::config
