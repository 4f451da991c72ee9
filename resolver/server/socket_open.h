// Listening sockets with SO_REUSEPORT, so every worker binds its own socket to the same address
// and the kernel spreads clients across them.
#pragma once

#include "resolver/config/address.h"

namespace tern::server {

// Returns the bound fd; throws std::runtime_error naming the address on failure.
int open_reuseport_socket(const config::SocketAddress& addr, int type);

}  // namespace tern::server
