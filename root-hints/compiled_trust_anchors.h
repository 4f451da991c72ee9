#pragma once
#include <string_view>

namespace tern {
// The root trust anchors (root-anchors.zone, zone-file text with DS records) as compiled into
// the binary; resolver/validator/trust_anchor.h parses them.
std::string_view compiled_trust_anchors();
}  // namespace tern
