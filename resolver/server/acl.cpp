#include "resolver/server/acl.h"

namespace tern::server {

bool Acl::allows(const sockaddr* client) const {
  // Converted once, not once per network.
  auto a = config::address_of(client);
  if (!a) return false;
  for (const auto& n : networks_)
    if (n.contains(*a)) return true;
  return false;
}

}  // namespace tern::server
