// Internal: SVCB/HTTPS SvcParams (RFC 9460 §2.1) in presentation format, key=value.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "wire/result.h"
#include "wire/text_tokens.h"
#include "wire/wire_error.h"

namespace tern::wire::detail {

// Appends " key=value" for each parameter of wire-format SvcParams (already validated).
void svc_params_to_text(std::string& out, std::span<const uint8_t> params);
// True when every known key's value has the shape RFC 9460 §7 requires.
bool svc_params_values_ok(std::span<const uint8_t> params);
// Parses key=value tokens into wire-format SvcParams sorted by key.
Result<std::vector<uint8_t>, WireError> svc_params_from_text(std::span<const Token> tokens);

}  // namespace tern::wire::detail
