// CaseMemory: the upstream servers seen not to preserve the case of the query name, so the
// transport stops randomising it for those servers only (Knot Resolver keeps the same per-server
// fact). Learned only from a TCP answer, which an off-path attacker cannot forge: over UDP a
// wrong-case answer is indistinguishable from a forgery that guessed the ID. Bounded: the oldest
// entry goes first.
#pragma once

#include <cstddef>
#include <deque>
#include <unordered_set>

#include "resolver/engine/world.h"

namespace tern::net {

class CaseMemory {
 public:
  explicit CaseMemory(size_t capacity) : capacity_(capacity) {}
  bool preserves_case(const engine::Address& server) const { return !set_.contains(server); }
  // Returns true when the server was not known yet.
  bool remember_insensitive(const engine::Address& server);
  size_t size() const { return set_.size(); }

 private:
  size_t capacity_;
  std::unordered_set<engine::Address, engine::AddressHash> set_;
  std::deque<engine::Address> order_;
};

}  // namespace tern::net
