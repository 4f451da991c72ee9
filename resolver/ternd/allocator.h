// Which malloc ternd runs on, for --version and the start-up log.
#pragma once

#include <string>

namespace tern::ternd {

// "mimalloc 2.0.9" when ternd was linked with mimalloc and it serves malloc, "glibc malloc" when
// built without it (sanitizer builds, -DTERN_MIMALLOC=OFF), or a warning when mimalloc is linked
// but another allocator won the symbol resolution.
std::string allocator_description();

}  // namespace tern::ternd
