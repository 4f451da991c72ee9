// The hashed owner label of an NSEC3 record (RFC 5155 §3): base32hex of the hash, either case.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tern::wire {

// The hash a label such as "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" encodes; nullopt when the label is
// not base32hex (RFC 4648 §7, no padding).
std::optional<std::vector<uint8_t>> nsec3_hash_from_label(std::string_view label);

}  // namespace tern::wire
