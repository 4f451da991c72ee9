#include "wire/nsec3_label.h"

#include "wire/encoding.h"

namespace tern::wire {

std::optional<std::vector<uint8_t>> nsec3_hash_from_label(std::string_view label) {
  return detail::from_base32hex(label);  // accepts both cases
}

}  // namespace tern::wire
