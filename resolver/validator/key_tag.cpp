#include "resolver/validator/key_tag.h"

namespace tern::validator {

uint16_t key_tag(std::span<const uint8_t> k) {
  if (k.size() >= 4 && k[3] == 1) {
    // B.1: the third-to-last and second-to-last octets of the public key (the modulus' end).
    if (k.size() < 7) return 0;
    return uint16_t(k[k.size() - 3] << 8 | k[k.size() - 2]);
  }
  uint32_t ac = 0;
  for (size_t i = 0; i < k.size(); ++i) ac += (i & 1) ? k[i] : uint32_t(k[i]) << 8;
  ac += (ac >> 16) & 0xffff;
  return uint16_t(ac & 0xffff);
}

}  // namespace tern::validator
