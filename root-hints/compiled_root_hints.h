#pragma once
#include <string_view>

namespace tern {
// IANA's named.root as compiled into the binary (zone-file text). --root-hints FILE overrides it.
std::string_view compiled_root_hints();
}  // namespace tern
