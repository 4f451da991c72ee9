#include "resolver/server/acl.h"

namespace tern::server {

bool Acl::allows(const sockaddr* client) const {
  for (const auto& n : networks_)
    if (n.contains(client)) return true;
  return false;
}

}  // namespace tern::server
