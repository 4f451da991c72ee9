// Internal: zone-file tokenizer and character-string escapes (RFC 1035 §5.1).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/result.h"
#include "wire/wire_error.h"

namespace tern::wire::detail {

struct Token {
  std::string_view text;  // without surrounding quotes; escapes still in place
  bool quoted = false;
};

// Splits on blanks; "quoted strings" are one token; ( and ) are dropped (they only join lines);
// ';' starts a comment to the end of the line.
Result<std::vector<Token>, WireError> tokenize(std::string_view text);

// Decodes \X and \DDD escapes of a token into raw bytes.
Result<std::vector<uint8_t>, WireError> unescape(std::string_view text);

// Character-string as dig prints it: quoted, with \" \\ and \DDD for non-printable octets.
void append_quoted(std::string& out, std::span<const uint8_t> bytes);

// Decimal number of at most `max`.
std::optional<uint64_t> parse_number(std::string_view text, uint64_t max);

}  // namespace tern::wire::detail
