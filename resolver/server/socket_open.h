// Listening sockets with SO_REUSEPORT, so every worker binds its own socket to the same address
// and the kernel spreads clients across them.
#pragma once

#include "resolver/config/address.h"

namespace tern::server {

// Returns the bound fd; throws std::runtime_error naming the address on failure. A UDP socket on
// a wildcard address also asks for each datagram's destination (reply_source.h).
int open_reuseport_socket(const config::SocketAddress& addr, int type);

// Throws std::runtime_error naming the address when another socket already serves it. With
// SO_REUSEPORT a second ternd of the same user would otherwise bind beside the first without an
// error and take half the queries: this probes with a plain bind (no SO_REUSEPORT), which fails
// while anyone else holds the address.
// `udp` false: the TCP port only (DNS over TLS).
void refuse_if_served(const config::SocketAddress& addr, bool udp = true);

// 0.0.0.0 or ::, any port.
bool is_wildcard(const config::SocketAddress& addr);

}  // namespace tern::server
