#include "wire/edns.h"

namespace tern::wire {

size_t Edns::wire_size() const {
  // owner (1) + type, class, ttl, rdlength (10) + each option's code, length and data.
  size_t n = 11;
  for (const auto& o : options) n += 4 + o.data.size();
  return n;
}

}  // namespace tern::wire
