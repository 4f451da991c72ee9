// Which clients may use the resolver: the configured networks (by default loopback only,
// server.allow; --allow adds to it). An Acl is immutable; a reload builds a new one and hands it
// to each worker. An empty Acl allows nobody.
#pragma once

#include <sys/socket.h>

#include <vector>

#include "resolver/config/address.h"

namespace tern::server {

class Acl {
 public:
  Acl() = default;
  explicit Acl(std::vector<config::Network> networks) : networks_(std::move(networks)) {}
  bool allows(const sockaddr* client) const;

 private:
  std::vector<config::Network> networks_;
};

}  // namespace tern::server
