#include "resolver/server/acl.h"

#include <netinet/in.h>

namespace tern::server {

bool Acl::allows(const sockaddr* client) const {
  if (client->sa_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(client);
    if ((ntohl(a->sin_addr.s_addr) >> 24) == 127) return true;
  } else if (client->sa_family == AF_INET6) {
    const auto* a = &reinterpret_cast<const sockaddr_in6*>(client)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(a)) return true;
    if (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127) return true;
  }
  for (const auto& n : extra_)
    if (n.contains(client)) return true;
  return false;
}

}  // namespace tern::server
