#include "resolver/net/qname_case.h"

#include <algorithm>

namespace tern::net {

namespace {
constexpr size_t kHeaderSize = 12;

bool is_letter(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
}  // namespace

size_t randomise_qname_case(std::span<uint8_t> query, engine::Random& random) {
  size_t letters = 0;
  uint32_t bits = 0;
  int bits_left = 0;
  size_t pos = kHeaderSize;
  while (pos < query.size()) {
    uint8_t len = query[pos];
    if (len == 0 || len > 63) break;  // end of name (a query's name holds no pointers)
    size_t end = std::min(query.size(), pos + 1 + len);
    for (size_t i = pos + 1; i < end; ++i) {
      if (!is_letter(query[i])) continue;
      if (bits_left == 0) {
        bits = random.next_u32();
        bits_left = 32;
      }
      query[i] = (bits & 1) ? uint8_t(query[i] | 0x20) : uint8_t(query[i] & ~0x20);
      bits >>= 1;
      --bits_left;
      ++letters;
    }
    pos = end;
  }
  return letters;
}

void restore_qname(std::span<uint8_t> response, std::span<const uint8_t> original_qname) {
  if (response.size() < kHeaderSize + original_qname.size()) return;
  std::copy(original_qname.begin(), original_qname.end(), response.begin() + kHeaderSize);
}

void restore_qname_everywhere(std::span<uint8_t> response, std::span<const uint8_t> sent_qname,
                              std::span<const uint8_t> original_qname) {
  restore_qname(response, original_qname);
  if (sent_qname.size() != original_qname.size() || sent_qname.size() < 2) return;
  size_t pos = kHeaderSize + sent_qname.size();
  while (pos + sent_qname.size() <= response.size()) {
    auto at = std::search(response.begin() + long(pos), response.end(), sent_qname.begin(),
                          sent_qname.end());
    if (at == response.end()) break;
    std::copy(original_qname.begin(), original_qname.end(), at);
    pos = size_t(at - response.begin()) + sent_qname.size();
  }
}

}  // namespace tern::net
