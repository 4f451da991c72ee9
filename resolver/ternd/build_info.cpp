#include "resolver/ternd/build_info.h"

#include "tern_commit.h"  // generated at build time (cmake/write_commit.cmake)

#ifndef TERN_VERSION
#define TERN_VERSION "dev"
#endif

namespace tern::ternd {

std::string build_version() { return std::string(TERN_VERSION) + " (commit " + TERN_COMMIT + ")"; }

}  // namespace tern::ternd
