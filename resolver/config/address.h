// Socket addresses and networks as the operator writes them ("127.0.0.1:53", "[::1]:53",
// "10.0.0.0/8"). The grammar is the engine's (engine::Address, engine::Cidr): one parser for
// listen addresses, --allow and --upstream-allow. Parsed once at start-up / reload; the ACL check
// on the hot path compares bytes.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/engine/world.h"

namespace tern::config {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  // "1.2.3.4:53", "[::1]:53"; with default_port, a bare "1.2.3.4" or "::1" is accepted too.
  static std::optional<SocketAddress> parse(std::string_view text,
                                            std::optional<uint16_t> default_port = std::nullopt);
  static SocketAddress from_sockaddr(const sockaddr* sa);
  static SocketAddress from_address(const engine::Address& a);
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
  uint16_t port() const;
  std::string to_string() const;  // "127.0.0.1:53", "[::1]:53"
};

// The address of an AF_INET / AF_INET6 sockaddr; nullopt for any other family. No allocation:
// the ACL calls it once per query.
std::optional<engine::Address> address_of(const sockaddr* sa);

// An IPv4 or IPv6 network with its host bits cleared ("10.1.2.3/8" is 10.0.0.0/8).
// IPv4-mapped IPv6 clients (::ffff:a.b.c.d) match IPv4 networks.
class Network {
 public:
  static std::optional<Network> parse(std::string_view text);  // "10.0.0.0/8", "::1/128", "1.2.3.4"
  bool contains(const sockaddr* sa) const;
  bool contains(const engine::Address& a) const { return cidr_.contains_client(a); }
  const engine::Cidr& cidr() const { return cidr_; }
  std::string to_string() const { return cidr_.to_string(); }

 private:
  engine::Cidr cidr_;
};

}  // namespace tern::config
