#include "resolver/net/case_memory.h"

namespace tern::net {

bool CaseMemory::remember_insensitive(const engine::Address& server) {
  if (capacity_ == 0 || set_.contains(server)) return false;
  if (set_.size() >= capacity_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  set_.insert(server);
  order_.push_back(server);
  return true;
}

}  // namespace tern::net
