// Internal: binary-to-text encodings used by presentation formats (RFC 4648 base64 / base32hex,
// hex). Decoders ignore nothing: any character outside the alphabet is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tern::wire::detail {

std::string to_base64(std::span<const uint8_t> data);
std::optional<std::vector<uint8_t>> from_base64(std::string_view text);
std::string to_base32hex(std::span<const uint8_t> data);  // uppercase, no padding (NSEC3)
std::optional<std::vector<uint8_t>> from_base32hex(std::string_view text);
std::string to_hex_upper(std::span<const uint8_t> data);
std::optional<std::vector<uint8_t>> from_hex(std::string_view text);

}  // namespace tern::wire::detail
