// Small text helpers for the .rpl reader: comments, tokens, numbers, hex, mnemonics.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "wire/rr_type.h"

namespace tern::replay {

std::string_view trim(std::string_view s);
// Cuts at the first ';' outside double quotes (a backslash escapes the next character).
std::string_view strip_comment(std::string_view line);
std::vector<std::string_view> split_ws(std::string_view s);
std::string_view unquote(std::string_view s);  // "\".\"" -> "."; anything else unchanged
std::optional<int> parse_int(std::string_view s);
std::optional<std::vector<uint8_t>> hex_decode(std::string_view hex);
std::optional<wire::Rcode> rcode_from_text(std::string_view s);    // "NXDOMAIN"
std::optional<wire::Opcode> opcode_from_text(std::string_view s);  // "QUERY", "NOTIFY"
std::optional<bool> bool_from_text(std::string_view s);            // yes/no on/off true/false 1/0

}  // namespace tern::replay
