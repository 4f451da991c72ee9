// Which clients may use the resolver: loopback always, plus the operator's --allow networks.
// An Acl is immutable; a reload builds a new one and hands it to each worker.
#pragma once

#include <sys/socket.h>

#include <vector>

#include "resolver/config/address.h"

namespace tern::server {

class Acl {
 public:
  Acl() = default;
  explicit Acl(std::vector<config::Network> extra) : extra_(std::move(extra)) {}
  bool allows(const sockaddr* client) const;

 private:
  std::vector<config::Network> extra_;
};

}  // namespace tern::server
