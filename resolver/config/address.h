// Socket addresses and networks as the operator writes them ("127.0.0.1:53", "[::1]:53",
// "10.0.0.0/8"). Parsed once at start-up / reload; the ACL check on the hot path compares bytes.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::config {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  // "1.2.3.4:53", "[::1]:53"; with default_port, a bare "1.2.3.4" or "::1" is accepted too.
  static std::optional<SocketAddress> parse(std::string_view text,
                                            std::optional<uint16_t> default_port = std::nullopt);
  static SocketAddress from_sockaddr(const sockaddr* sa);
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
  uint16_t port() const;
  std::string to_string() const;  // "127.0.0.1:53", "[::1]:53"
};

// An IPv4 or IPv6 network. IPv4-mapped IPv6 clients (::ffff:a.b.c.d) match IPv4 networks.
class Network {
 public:
  static std::optional<Network> parse(std::string_view text);  // "10.0.0.0/8", "::1/128", "1.2.3.4"
  bool contains(const sockaddr* sa) const;
  std::string to_string() const;

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> bytes_{};
  uint8_t prefix_ = 0;
};

}  // namespace tern::config
